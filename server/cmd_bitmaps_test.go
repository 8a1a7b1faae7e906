package server_test

import (
	"testing"

	. "github.com/cairn-db/cairn/server/servertest"
)

func TestBitmapCommands(t *testing.T) {
	runSteps(t, []step{
		{"SETBIT b 1 1", Int(0)},
		{"SETBIT b 1 0", Int(1)},
		{"SETBIT b 9 1", Int(0)},
		{"GET b", Bulk("\x00\x40")},
		{"GETBIT b 9", Int(1)},
		{"GETBIT b 99", Int(0)},
		{"SETBIT b 0 2", Err("ERR bit is not an integer or out of range")},
		{"SETBIT b -1 1", Err("ERR bit offset is not an integer or out of range")},
		{"SETBIT b 4294967296 1", Err("ERR bit offset is not an integer or out of range")},
		{"SET s foobar", OK},
		{"BITCOUNT s", Int(26)},
		{"BITCOUNT s 1 1", Int(6)},
		{"BITCOUNT s 5 30 BIT", Int(17)},
		{"BITCOUNT s 0 1 BITS", Err("ERR syntax error")},
		{"SET p \xff\xf0\x00", OK},
		{"BITPOS p 0", Int(12)},
		{"BITPOS p 1 2", Int(-1)},
		{"BITPOS p 0 0 0", Int(-1)},
		{"BITPOS p 2", Err("ERR The bit argument must be 1 or 0.")},
		{"BITPOS missing 0", Int(0)},
		{"BITOP XOR x p s", Int(6)},
		{"BITOP NOT x p s", Err("ERR BITOP NOT must be called with a single source key.")},
		{"BITOP AND x missing", Int(0)},
		{"EXISTS x", Int(0)},
		{"BITFIELD f SET i8 0 -1 GET u8 0 OVERFLOW FAIL INCRBY i8 0 -128", Array(Int(0), Int(255), Nil)},
		{"BITFIELD f GET u64 0", Err("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")},
		{"BITFIELD f OVERFLOW NONE", Err("ERR Invalid OVERFLOW type specified")},
		{"BITFIELD_RO f GET i8 #0", Array(Int(-1))},
		{"BITFIELD_RO f INCRBY i8 0 1", Err("ERR BITFIELD_RO only supports the GET subcommand")},
		{"LPUSH l a", Int(1)},
		{"GETBIT l 0", Err("WRONGTYPE Operation against a key holding the wrong kind of value")},
	})
}
