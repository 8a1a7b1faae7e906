package server

import (
	"encoding/hex"
	"strings"
	"testing"
)

// The CRC of Redis's crc64.c test vector.
func TestRedisCRC64(t *testing.T) {
	if got := redisCRC64([]byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("crc64(123456789) = %#x", got)
	}
}

// A payload redis-server 7.0.15 wrote (FUNCTION DUMP): its code is an
// LZF-compressed RDB string.
func TestParseRedisFunctionDump(t *testing.T) {
	p, _ := hex.DecodeString("f5c3406240761f23216c7561206e616d653d6c7a6c69620a72656469732e72656769737465725f1266756e6374696f6e28276c7a665f666e272c20e000121e6b6579732c2061726773292072657475726e2027636f6d7072657373656420e00c0a052720656e64290a00dca3ecc4a75ca3dd")
	codes, err := parseLibraryDump(p)
	if err != nil {
		t.Fatal(err)
	}
	want := "#!lua name=lzlib\nredis.register_function('lzf_fn', function(keys, args) return 'compressed compressed compressed' end)"
	if len(codes) != 1 || codes[0] != want {
		t.Fatalf("codes %q", codes)
	}
	p[len(p)-1] ^= 1
	if _, err := parseLibraryDump(p); err != errPayloadBad {
		t.Fatalf("bad checksum: %v", err)
	}
}

func TestFunctionDumpRoundTrip(t *testing.T) {
	long := "#!lua name=b\n" + string(make([]byte, 20000))
	codes := []string{"#!lua name=a\nx", long, ""}
	got, err := parseLibraryDump(dumpLibraries(codes))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != codes[0] || got[1] != long || got[2] != "" {
		t.Fatalf("round trip: %d codes", len(got))
	}
	for _, bad := range [][]byte{nil, []byte("short"), append([]byte{0x01}, dumpLibraries(nil)...)} {
		if _, err := parseLibraryDump(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	// A payload of another type than a function, with a valid footer.
	p := dumpLibraries(nil)
	p = append([]byte{0}, p[:2]...)
	p = append(p, make([]byte, 8)...)
	crc := redisCRC64(p[:len(p)-8])
	for i := 0; i < 8; i++ {
		p[len(p)-8+i] = byte(crc >> (8 * i))
	}
	if _, err := parseLibraryDump(p); err != errPayloadType {
		t.Fatalf("opcode 0: %v", err)
	}
}

func TestRDBStringEncodings(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
	}{
		{"c0fb", "-5"}, {"c10001", "256"}, {"c2ffffffff", "-1"}, {"03616263", "abc"},
		{"4003616263", "abc"}, {"8000000003616263", "abc"},
	} {
		b, _ := hex.DecodeString(c.in)
		r := rdbReader{b: b}
		got, ok := r.string()
		if !ok || got != c.want || len(r.b) != 0 {
			t.Errorf("%s: %q %v", c.in, got, ok)
		}
	}
}

func TestSplitMetaArgs(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // words joined by |, or "!" when refused
	}{
		{`#!lua name=x`, "#!lua|name=x"},
		{`#!lua name="x y"`, "#!lua|name=x y"},
		{`#!lua 'name=x'`, "#!lua|name=x"},
		{"#!lua\tname=x\r", "#!lua|name=x"},
		{`#!lua name="a\x41\n"`, "#!lua|name=aA\n"},
		{`#!lua name="x"y`, "!"},
		{`#!lua name="x`, "!"},
		{`#!lua name='x`, "!"},
		{`  `, ""},
	} {
		words, ok := splitMetaArgs(c.in)
		got := "!"
		if ok {
			got = strings.Join(words, "|")
		}
		if got != c.want {
			t.Errorf("%q: %q, want %q", c.in, got, c.want)
		}
	}
}
