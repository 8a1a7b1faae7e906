package server_test

import (
	"fmt"

	"github.com/cairn-db/cairn/server"
)

func ExampleServer_Do() {
	srv, err := server.Start(server.Config{}) // a free loopback port
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	srv.Do("RPUSH", "l", "a", "b")
	v, _ := srv.Do("LRANGE", "l", "0", "-1")
	fmt.Printf("%#v\n", v)
	_, err = srv.Do("INCR", "l")
	fmt.Println(err)
	// Output:
	// []interface {}{"a", "b"}
	// WRONGTYPE Operation against a key holding the wrong kind of value
}

func ExampleServer_InjectFault() {
	srv, err := server.Start(server.Config{})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	remove := srv.InjectFault(server.Fault{Command: "get", Err: "LOADING Redis is loading the dataset in memory", Times: 1})
	defer remove()
	_, err = srv.Do("GET", "k")
	fmt.Println(err)
	v, err := srv.Do("GET", "k")
	fmt.Println(v, err)
	// Output:
	// LOADING Redis is loading the dataset in memory
	// <nil> <nil>
}

func ExampleSession() {
	srv, err := server.Start(server.Config{})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	se := srv.Session()
	defer se.Close()
	se.Do("SELECT", "1")
	se.Do("MULTI")
	se.Do("INCR", "n")
	v, _ := se.Do("EXEC")
	fmt.Printf("%#v\n", v)
	// Output:
	// []interface {}{1}
}
