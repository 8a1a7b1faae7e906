package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// pingMain is "cairn ping [host:port]": it sends PING and exits 0 on a
// PONG (or a NOAUTH, which still proves the server is up), so a container
// HEALTHCHECK needs no redis-cli.
func pingMain(args []string) int {
	addr := "127.0.0.1:6379"
	if len(args) > 0 {
		addr = args[0]
	}
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cairn ping:", err)
		return 1
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		fmt.Fprintln(os.Stderr, "cairn ping:", err)
		return 1
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		fmt.Fprintln(os.Stderr, "cairn ping:", err)
		return 1
	}
	line = strings.TrimSpace(line)
	fmt.Println(line)
	if line == "+PONG" || strings.HasPrefix(line, "-NOAUTH") {
		return 0
	}
	return 1
}
