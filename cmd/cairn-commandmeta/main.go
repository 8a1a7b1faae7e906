// Command cairn-commandmeta regenerates server/commandmeta/commands.json,
// the Redis 7.0 documentation, tips and key specs of every command Cairn
// answers. Run it from the repository root after adding a command:
//
//	go run ./cmd/cairn-commandmeta
//
// It starts its own redis-server (7.0.x, on a free loopback port, without
// persistence), reads COMMAND DOCS and COMMAND over RESP3, keeps the
// commands and subcommands Cairn's table has, adds the hand-written
// entries of server/commandmeta/cairn_only.json for those Redis lacks, and
// writes the file. It exits with an error naming any Cairn command that
// has neither, after writing the rest.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cairn-db/cairn/server"
	"github.com/cairn-db/cairn/server/commandmeta"
)

func main() {
	bin := flag.String("redis-server", "redis-server", "the redis-server binary (7.0.x)")
	dir := flag.String("dir", filepath.Join("server", "commandmeta"), "the commandmeta package directory")
	flag.Parse()
	if err := run(*bin, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "cairn-commandmeta:", err)
		os.Exit(1)
	}
}

func run(bin, dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "meta.go")); err != nil {
		return fmt.Errorf("%s is not the commandmeta package (run from the repository root, or pass -dir): %v", dir, err)
	}
	handWritten, err := readEntries(filepath.Join(dir, "cairn_only.json"))
	if err != nil {
		return err
	}
	redis, version, err := fromRedis(bin)
	if err != nil {
		return err
	}
	out := map[string]*commandmeta.Entry{}
	var missing, shadowed []string
	fromRedis, fromHand := 0, 0
	for _, name := range server.CommandNames() {
		switch e := redis[name]; {
		case e != nil:
			out[name] = e
			fromRedis++
			if handWritten[name] != nil {
				shadowed = append(shadowed, name)
			}
		case handWritten[name] != nil:
			out[name] = handWritten[name]
			fromHand++
		default:
			missing = append(missing, name)
		}
	}
	data, err := commandmeta.Encode(out)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "commands.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d commands from redis-server %s, %d hand-written\n", path, fromRedis, version, fromHand)
	if len(shadowed) > 0 {
		fmt.Printf("redis-server documents these, cairn_only.json's entries are unused: %s\n", strings.Join(shadowed, " "))
	}
	if len(missing) > 0 {
		return fmt.Errorf("no documentation for %s: redis-server %s lacks them; add entries to %s",
			strings.Join(missing, " "), version, filepath.Join(dir, "cairn_only.json"))
	}
	return nil
}

// readEntries reads a commands file; a missing one is empty.
func readEntries(path string) (map[string]*commandmeta.Entry, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return map[string]*commandmeta.Entry{}, nil
	}
	if err != nil {
		return nil, err
	}
	m, err := commandmeta.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return m, nil
}
