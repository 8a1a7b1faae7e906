package server_test

import (
	"testing"

	. "github.com/cairn-db/cairn/server/servertest"
)

func TestStringCommands(t *testing.T) {
	runSteps(t, []step{
		{"GET k", Nil},
		{"SET k v", OK},
		{"GET k", Bulk("v")},
		{"SET k w NX", Nil},
		{"SET k w XX GET", Bulk("v")},
		{"SET k w NX XX", Err("ERR syntax error")},
		{"SET k w EX 0", Err("ERR invalid expire time in 'set' command")},
		{"SET k w EX 10 PX 10", Err("ERR syntax error")},
		{"SET k w KEEPTTL EX 1", Err("ERR syntax error")},
		{"SETNX k x", Int(0)},
		{"SETNX n x", Int(1)},
		{"SETEX k 0 v", Err("ERR invalid expire time in 'setex' command")},
		{"PSETEX k 100000 v", OK},
		{"GETSET k new", Bulk("v")},
		{"GETDEL k", Bulk("new")},
		{"GETDEL k", Nil},
		{"MSET a 1 b 2", OK},
		{"MSET a 1 b", Err("ERR wrong number of arguments for 'mset' command")},
		{"MGET a b missing", Array(Bulk("1"), Bulk("2"), Nil)},
		{"MSETNX a 1 c 3", Int(0)},
		{"MSETNX c 3 d 4", Int(1)},
		{"INCR a", Int(2)},
		{"DECRBY a 5", Int(-3)},
		{"INCRBY a x", Err("ERR value is not an integer or out of range")},
		{"DECRBY a -9223372036854775808", Err("ERR decrement would overflow")},
		{"SET big 9223372036854775807", OK},
		{"INCR big", Err("ERR increment or decrement would overflow")},
		{"SET f 0.1", OK},
		{"INCRBYFLOAT f 0.2", Bulk("0.3")},
		{"INCRBYFLOAT f nan", Err("ERR value is not a valid float")},
		{"INCRBYFLOAT f inf", Err("ERR increment would produce NaN or Infinity")},
		{"APPEND s hello", Int(5)},
		{"APPEND s !", Int(6)},
		{"STRLEN s", Int(6)},
		{"GETRANGE s 0 -2", Bulk("hello")},
		{"GETRANGE s -1 -5", Bulk("")},
		{"SUBSTR s 1 2", Bulk("el")},
		{"SETRANGE s 8 x", Int(9)},
		{"GET s", Bulk("hello!\x00\x00x")},
		{"SETRANGE s -1 x", Err("ERR offset is out of range")},
		{"SETRANGE s 536870912 x", Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")},
		{"GETEX s EX 100", Bulk("hello!\x00\x00x")},
		{"TTL s", Int(100)},
		{"GETEX s PERSIST", Bulk("hello!\x00\x00x")},
		{"TTL s", Int(-1)},
		{"GETEX s EX 1 PX 1", Err("ERR syntax error")},
		{"MSET l1 ohmytext l2 mynewtext", OK},
		{"LCS l1 l2", Bulk("mytext")},
		{"LCS l1 l2 LEN", Int(6)},
		{"LCS l1 l2 IDX MINMATCHLEN 4 WITHMATCHLEN", "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"},
		{"LCS l1 l2 LEN IDX", Err("ERR If you want both the length and indexes, please just use IDX.")},
	})
}
