package store_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/cairn-db/cairn/store"
)

// libNameFromCode reads "#!lua name=X" as the server does (enough for the
// codes the random operations store).
func libNameFromCode(code string) (string, error) {
	line, _, _ := strings.Cut(code, "\n")
	_, name, ok := strings.Cut(line, "name=")
	if !ok {
		return "", errors.New("no name")
	}
	return name, nil
}

// TestRDBRoundTrip: after random operations of every type, the store
// written as an RDB file and imported into an empty store (in memory, and
// on Pebble across a restart) gives back the same keyspace and libraries.
func TestRDBRoundTrip(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, seed))
			src, clock, apply := randomStore(t)
			for range 3 {
				apply(r, 700)
				clock.FastForward(time.Duration(r.IntN(3000)) * time.Millisecond)
			}
			want := src.Dump()
			file := src.WriteRDB(store.RDBOptions{Aux: [][2]string{{"redis-ver", "7.0.15"}}})

			mem, _ := store.Open(store.Options{Clock: clock})
			if _, err := mem.ImportRDB(file, libNameFromCode); err != nil {
				t.Fatal(err)
			}
			if got := mem.Dump(); got != want {
				t.Fatalf("imported keyspace differs\nwant:\n%s\ngot:\n%s", want, got)
			}
			if err := mem.CheckMemory(); err != nil {
				t.Fatal(err)
			}

			fs := vfs.NewMem()
			disk := openPebble(t, fs, clock)
			if _, err := disk.ImportRDB(file, libNameFromCode); err != nil {
				t.Fatal(err)
			}
			disk.Close()
			disk = openPebble(t, fs, clock)
			defer disk.Close()
			if got := disk.Dump(); got != want {
				t.Fatalf("imported keyspace differs after a restart\nwant:\n%s\ngot:\n%s", want, got)
			}
		})
	}
}

// TestImportRDBRefusesBadFiles: a wrong header, a newer version, a
// flipped byte (checksum) or a cut file is ErrRDBFile, and nothing is
// half loaded from a file whose checksum fails.
func TestImportRDBRefusesBadFiles(t *testing.T) {
	src, _ := store.Open(store.Options{})
	src.Update(0, func(tx *store.Tx) error { tx.Set([]byte("k"), []byte("v"), store.SetOptions{}); return nil })
	good := src.WriteRDB(store.RDBOptions{})
	flipped := append([]byte(nil), good...)
	flipped[12] ^= 1
	cases := map[string][]byte{
		"empty":     nil,
		"not rdb":   []byte("HELLO0010xxxxxxxxxxxx"),
		"version":   append([]byte("REDIS0012"), good[9:]...),
		"checksum":  flipped,
		"truncated": good[:len(good)-9],
	}
	for name, file := range cases {
		dst, _ := store.Open(store.Options{})
		if _, err := dst.ImportRDB(file, libNameFromCode); !errors.Is(err, store.ErrRDBFile) {
			t.Errorf("%s: %v, want ErrRDBFile", name, err)
		}
		if strings.Contains(dst.Dump(), "\"k\"") {
			t.Errorf("%s: loaded a key", name)
		}
	}
}
