package integration

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc64"
	"math/bits"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

// This file builds DUMP payloads in the encodings of Redis before 7.0
// (ziplists, the first quicklist, the text-score ZSET) and checks that
// Cairn restores them as redis-server 7.0 does.

// ziplist encodes elements as Redis's ziplist: ints (Go int64) in the
// smallest integer encoding, strings in the smallest string header.
func ziplist(elems ...any) []byte {
	b := make([]byte, 10)
	prev, last := 0, 10
	for _, e := range elems {
		start := len(b)
		if prev < 254 {
			b = append(b, byte(prev))
		} else {
			b = binary.LittleEndian.AppendUint32(append(b, 0xfe), uint32(prev))
		}
		switch v := e.(type) {
		case int64:
			switch {
			case v >= 0 && v <= 12:
				b = append(b, 0xf1+byte(v))
			case v >= -128 && v <= 127:
				b = append(b, 0xfe, byte(v))
			case v >= -1<<15 && v < 1<<15:
				b = binary.LittleEndian.AppendUint16(append(b, 0xc0), uint16(v))
			case v >= -1<<23 && v < 1<<23:
				b = append(b, 0xf0, byte(v), byte(v>>8), byte(v>>16))
			case v >= -1<<31 && v < 1<<31:
				b = binary.LittleEndian.AppendUint32(append(b, 0xd0), uint32(v))
			default:
				b = binary.LittleEndian.AppendUint64(append(b, 0xe0), uint64(v))
			}
		case string:
			switch l := len(v); {
			case l < 64:
				b = append(b, byte(l))
			case l < 16384:
				b = append(b, 0x40|byte(l>>8), byte(l))
			default:
				b = binary.BigEndian.AppendUint32(append(b, 0x80), uint32(l))
			}
			b = append(b, v...)
		}
		prev, last = len(b)-start, start
	}
	b = append(b, 0xff)
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	binary.LittleEndian.PutUint32(b[4:], uint32(last))
	binary.LittleEndian.PutUint16(b[8:], uint16(min(len(elems), 0xffff)))
	return b
}

// rdbStr encodes a raw RDB string.
func rdbStr(s []byte) []byte {
	return append(rdbLen(nil, len(s)), s...)
}

func rdbLen(b []byte, n int) []byte {
	switch {
	case n < 64:
		return append(b, byte(n))
	case n < 16384:
		return append(b, 0x40|byte(n>>8), byte(n))
	}
	return binary.BigEndian.AppendUint32(append(b, 0x80), uint32(n))
}

// redisCRC is Redis's CRC-64 (Jones, reflected, no inversion): hash/crc64
// with the reversed polynomial, undoing its inversions.
var redisCRCTable = crc64.MakeTable(bits.Reverse64(0xad93d23594c935a9))

func redisCRC(p []byte) uint64 { return ^crc64.Update(^uint64(0), redisCRCTable, p) }

// dumpPayload wraps a serialized object in the RDB version and checksum.
func dumpPayload(obj []byte, version uint16) string {
	b := binary.LittleEndian.AppendUint16(append([]byte{}, obj...), version)
	return string(binary.LittleEndian.AppendUint64(b, redisCRC(b)))
}

// TestRestoreOldEncodings restores payloads in pre-7.0 encodings on
// redis-server 7.0 and on Cairn and compares the values.
func TestRestoreOldEncodings(t *testing.T) {
	real := newClient(t, requireRedis(t).addr)
	cairn := newClient(t, servertest.Start(t).Addr())
	var many []any
	for i := 0; i < 300; i++ {
		if i%3 == 0 {
			many = append(many, int64(i*i*i*1000-5000))
		} else {
			many = append(many, strings.Repeat("v", i))
		}
	}
	ints := []any{int64(0), int64(12), int64(13), int64(-1), int64(127), int64(-129), int64(32767),
		int64(-8388608), int64(8388608), int64(-2147483648), int64(1 << 40), int64(-1 << 62)}
	obj := func(t byte, parts ...[]byte) []byte {
		b := []byte{t}
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	cases := []struct {
		name    string
		payload string
	}{
		{"list ziplist", dumpPayload(obj(10, rdbStr(ziplist(append([]any{"a", "bb"}, ints...)...))), 8)},
		{"list ziplist long", dumpPayload(obj(10, rdbStr(ziplist(many...))), 8)},
		{"quicklist", dumpPayload(obj(14, rdbLen(nil, 3), rdbStr(ziplist(ints...)), rdbStr(ziplist(many...)),
			rdbStr(ziplist("x", strings.Repeat("y", 20000)))), 9)},
		{"hash ziplist", dumpPayload(obj(13, rdbStr(ziplist("f", "v", "n", int64(42), "big", int64(1<<40)))), 8)},
		// In score order: Redis keeps a packed sorted set's order as stored.
		{"zset ziplist", dumpPayload(obj(12, rdbStr(ziplist("d", "-1e300", "a", int64(1), "b", "2.5", "c", "inf"))), 8)},
		{"hash zipmap", dumpPayload(obj(9, rdbStr([]byte("\x02\x01f\x02\x00v1\x03xyz\x02\x01ab\x00\xff"))), 6)},
		{"hash zipmap long", dumpPayload(obj(9, rdbStr(append(append([]byte("\xfe\x03key\xfe\x2c\x01\x00\x00\x00"),
			strings.Repeat("w", 300)...), 0xff))), 6)},
		{"zset text scores", dumpPayload(obj(3, rdbLen(nil, 3), rdbStr([]byte("a")), []byte("\x031.5"),
			rdbStr([]byte("b")), []byte{254}, rdbStr([]byte("c")), []byte{255}), 6)},
	}
	for i, c := range cases {
		key := "old" + strconv.Itoa(i)
		if err := real.Restore(ctx, key, 0, c.payload).Err(); err != nil {
			t.Fatalf("%s: redis RESTORE: %v", c.name, err)
		}
		if err := cairn.Restore(ctx, key, 0, c.payload).Err(); err != nil {
			t.Fatalf("%s: cairn RESTORE: %v", c.name, err)
		}
		want, got := snapshot(t, real, key), snapshot(t, cairn, key)
		if got != want {
			t.Fatalf("%s:\n got %.400s\nwant %.400s", c.name, got, want)
		}
		if len(want) < 20 {
			t.Fatalf("%s: suspiciously empty: %s", c.name, want)
		}
	}
}

// listpack encodes elements as a Redis listpack: small non-negative ints
// (Go int) as 7-bit integers, strings of up to 63 bytes.
func listpack(elems ...any) []byte {
	b := make([]byte, 6)
	for _, e := range elems {
		start := len(b)
		switch v := e.(type) {
		case int:
			b = append(b, byte(v))
		case string:
			b = append(append(b, 0x80|byte(len(v))), v...)
		}
		b = append(b, byte(len(b)-start))
	}
	b = append(b, 0xff)
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	binary.LittleEndian.PutUint16(b[4:], uint16(len(elems)))
	return b
}

// TestRestoreStreamV1 restores a stream in Redis 6's STREAM_LISTPACKS
// type (no first ID, max deleted ID, entries added or entries read), with
// a deleted entry, an entry with its own fields, a group and a consumer,
// and compares with redis-server 7.0.
func TestRestoreStreamV1(t *testing.T) {
	real := newClient(t, requireRedis(t).addr)
	cairn := newClient(t, servertest.Start(t).Addr())
	master := make([]byte, 16)
	binary.BigEndian.PutUint64(master, 5)
	lp := listpack(2, 1, 2, "f", "g", 0, // master: 2 live, 1 deleted, fields f g
		2, 0, 0, "a", "b", 5, // 5-0 f=a g=b (same fields)
		3, 0, 1, "c", "d", 5, // 5-1 deleted
		0, 1, 0, 1, "h", "i", 6) // 6-0 h=i
	obj := append([]byte{15, 1}, rdbStr(master)...)
	obj = append(obj, rdbStr(lp)...)
	obj = append(obj, 2, 7, 0) // length 2, last ID 7-0
	obj = append(obj, 1)       // one group
	obj = append(obj, rdbStr([]byte("grp"))...)
	obj = append(obj, 5, 0) // last delivered 5-0
	obj = append(obj, 1)    // PEL: 5-0
	obj = append(obj, master...)
	obj = binary.LittleEndian.AppendUint64(obj, 1_700_000_000_000)
	obj = append(obj, 3)
	obj = append(obj, 1) // one consumer owning 5-0
	obj = append(obj, rdbStr([]byte("alice"))...)
	obj = binary.LittleEndian.AppendUint64(obj, 1_700_000_000_500)
	obj = append(obj, 1)
	obj = append(obj, master...)
	p := dumpPayload(obj, 9)
	for name, rdb := range map[string]interface {
		Restore(ctx context.Context, key string, ttl time.Duration, value string) *redis.StatusCmd
	}{"redis": real, "cairn": cairn} {
		if err := rdb.Restore(ctx, "s1", 0, p).Err(); err != nil {
			t.Fatalf("%s RESTORE: %v", name, err)
		}
	}
	want, got := snapshot(t, real, "s1"), snapshot(t, cairn, "s1")
	if got != want || !strings.Contains(want, "alice") {
		t.Fatalf("\n got %s\nwant %s", got, want)
	}
}

// TestRestoreRejectsLikeSanitizingRedis: corrupt payloads that Redis's
// default shallow check lets in are refused by Cairn, with the same error
// as a redis-server running sanitize-dump-payload yes.
func TestRestoreRejectsLikeSanitizingRedis(t *testing.T) {
	requireRedis(t)
	rs, err := startRedis("--sanitize-dump-payload", "yes")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rs.stop)
	real := newClient(t, rs.addr)
	cairn := newClient(t, servertest.Start(t).Addr())
	intset := func(vals ...int16) []byte {
		b := binary.LittleEndian.AppendUint32(nil, 2)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(vals)))
		for _, v := range vals {
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		}
		return b
	}
	badBacklen := listpack("f", "v")
	badBacklen[len(badBacklen)-2]++
	badCount := listpack("f", "v")
	badCount[4] = 4
	for name, obj := range map[string][]byte{
		"duplicate hash fields":   append([]byte{4, 2}, "\x01f\x01v\x01f\x01w"...),
		"duplicate listpack hash": append([]byte{16}, rdbStr(listpack("f", "v", "f", "w"))...),
		"odd listpack hash":       append([]byte{16}, rdbStr(listpack("f", "v", "g"))...),
		"odd listpack zset":       append([]byte{17}, rdbStr(listpack("m", 1, "n"))...),
		"unsorted intset":         append([]byte{11}, rdbStr(intset(7, -5))...),
		"duplicate intset":        append([]byte{11}, rdbStr(intset(7, 7))...),
		"listpack back length":    append([]byte{16}, rdbStr(badBacklen)...),
		"listpack count":          append([]byte{16}, rdbStr(badCount)...),
		"duplicate set members":   append([]byte{2, 2}, "\x01x\x01x"...),
		"empty quicklist node":    append([]byte{18, 1, 2}, rdbStr(listpack())...),
	} {
		p := dumpPayload(obj, 10)
		want := fmt.Sprint(real.Restore(ctx, "k", 0, p).Err())
		got := fmt.Sprint(cairn.Restore(ctx, "k", 0, p).Err())
		if got != want || got != "ERR Bad data format" {
			t.Errorf("%s: redis %s, cairn %s", name, want, got)
		}
	}
}
