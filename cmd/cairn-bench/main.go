// Command cairn-bench measures Cairn against redis-server on this machine,
// side by side: each server on a free loopback port with matching
// persistence, redis-benchmark runs alternating between them, repeated,
// and the medians and Cairn/Redis ratios printed. A seeding workload
// (pipelined MSET of ~500k keys, verified with MGET) reports load time and
// memory per key.
//
//	go run ./cmd/cairn-bench                      # memory engine vs Redis in memory
//	go run ./cmd/cairn-bench -modes memory,everysec,always -runs 5
//	go run ./cmd/cairn-bench -seed-only
//	go run ./cmd/cairn-bench -cache                # maxmemory: eviction, hit rate, RSS
//	go run ./cmd/cairn-bench -save-pause           # how long commands wait during BGSAVE
//
// Only ratios measured in one run mean anything on a shared machine.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	modes := flag.String("modes", "memory", "comma-separated: memory (no persistence), no, everysec, always (Pebble vs appendonly yes with that appendfsync)")
	runs := flag.Int("runs", 3, "repetitions of each benchmark per server")
	clients := flag.Int("c", 50, "redis-benchmark connections")
	requests := flag.Int("n", 200000, "requests per benchmark at -P 1 (ten times more pipelined)")
	pipelines := flag.String("P", "1,16", "comma-separated pipeline depths")
	tests := flag.String("tests", strings.Join(defaultTests, ","), "benchmarks to run (see -list)")
	seedOnly := flag.Bool("seed-only", false, "run only the seeding workload")
	noSeed := flag.Bool("no-seed", false, "skip the seeding workload")
	seedKeys := flag.Int("seed-keys", 498501, "keys in the seeding workload")
	list := flag.Bool("list", false, "list the benchmarks and exit")
	cacheOnly := flag.Bool("cache", false, "run only the cache workload (maxmemory, eviction, Zipf hit rate)")
	cacheMax := flag.String("cache-maxmemory", "64mb", "maxmemory of the cache workload")
	cacheOps := flag.Int("cache-ops", 1000000, "Zipf GETs in the cache workload")
	policies := flag.String("cache-policies", "allkeys-lru,allkeys-lfu", "eviction policies of the cache workload")
	savePauseOnly := flag.Bool("save-pause", false, "run only the save-pause workload (GET latency during BGSAVE)")
	savePauseKeys := flag.Int("save-pause-keys", 1000000, "keys in the save-pause workload")
	flag.Parse()
	if *list {
		for _, t := range defaultTests {
			fmt.Printf("%-10s %s\n", t, strings.Join(benchmarks[t], " "))
		}
		return
	}
	b, err := newBench()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cairn-bench:", err)
		os.Exit(1)
	}
	defer b.cleanup()
	if *savePauseOnly {
		res, err := b.savePause(*savePauseKeys, *runs)
		if err != nil {
			fmt.Fprintln(os.Stderr, "cairn-bench:", err)
			os.Exit(1)
		}
		printSavePause(*savePauseKeys, res)
		return
	}
	if *cacheOnly {
		if err := b.runCache(*cacheMax, strings.Split(*policies, ","), *cacheOps); err != nil {
			fmt.Fprintln(os.Stderr, "cairn-bench:", err)
			os.Exit(1)
		}
		return
	}
	for _, mode := range strings.Split(*modes, ",") {
		if !*seedOnly {
			rows, err := b.throughput(mode, strings.Split(*tests, ","), parseInts(*pipelines), *clients, *requests, *runs)
			if err != nil {
				fmt.Fprintln(os.Stderr, "cairn-bench:", err)
				os.Exit(1)
			}
			printThroughput(mode, *clients, *runs, rows)
		}
		if !*noSeed {
			res, err := b.seed(mode, *seedKeys, *runs)
			if err != nil {
				fmt.Fprintln(os.Stderr, "cairn-bench:", err)
				os.Exit(1)
			}
			printSeed(mode, *seedKeys, res)
		}
	}
}

func parseInts(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		var n int
		fmt.Sscan(f, &n)
		if n > 0 {
			out = append(out, n)
		}
	}
	return out
}
