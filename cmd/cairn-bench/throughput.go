package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// benchmarks maps a name to redis-benchmark arguments after the common
// flags. Custom commands use __rand_int__ with -r for a realistic keyspace.
var benchmarks = map[string][]string{
	"SET":   {"-t", "set"},
	"GET":   {"-t", "get"},
	"INCR":  {"-t", "incr"},
	"LPUSH": {"-t", "lpush"},
	"RPUSH": {"-t", "rpush"},
	"LPOP":  {"-t", "lpop"},
	"RPOP":  {"-t", "rpop"},
	// BRPOP on the list the LPUSH benchmark fills: run "-tests LPUSH,BRPOP".
	"BRPOP":  {"BRPOP", "mylist", "1"},
	"MSET":   {"-t", "mset"},
	"XADD":   {"XADD", "bench:stream", "*", "field", "__rand_int__"},
	"SET_EX": {"SET", "key:__rand_int__", "xxx", "EX", "100"},
}

// probes are one command per benchmark, sent before it runs: a server
// that answers "unknown command" (a type not implemented yet) skips the
// row instead of failing the whole run.
var probes = map[string][]string{
	"SET": {"SET", "bench:probe", "x"}, "GET": {"GET", "bench:probe"}, "INCR": {"INCR", "bench:probe:n"},
	"LPUSH": {"LPUSH", "bench:probe:l", "x"}, "RPUSH": {"RPUSH", "bench:probe:l", "x"},
	"LPOP": {"LPOP", "bench:probe:l"}, "RPOP": {"RPOP", "bench:probe:l"}, "MSET": {"MSET", "bench:probe", "x"},
	"XADD": {"XADD", "bench:probe:s", "*", "f", "v"}, "SET_EX": {"SET", "bench:probe", "x", "EX", "100"},
}

var defaultTests = []string{"SET", "GET", "INCR", "LPUSH", "RPUSH", "LPOP", "RPOP", "MSET", "XADD", "SET_EX"}

// result is one redis-benchmark measurement.
type result struct {
	rps, p50, p99 float64
}

// row is one benchmark at one pipeline depth, with every run's results.
type row struct {
	test     string
	pipeline int
	cairn    []result
	redis    []result
}

// throughput runs every test at every pipeline depth, alternating
// between Cairn and Redis (in turn first), runs times each.
func (b *bench) throughput(mode string, tests []string, pipelines []int, clients, requests, runs int) ([]*row, error) {
	cairn, err := b.start("cairn", mode)
	if err != nil {
		return nil, err
	}
	defer cairn.stop()
	redis, err := b.start("redis", mode)
	if err != nil {
		return nil, err
	}
	defer redis.stop()
	// A fresh process pays for its first load (a Go heap and its pacer,
	// buffers, page faults) in whichever row comes first; real servers
	// are warm. Each server takes one unmeasured run of every depth.
	for _, s := range []*server{cairn, redis} {
		for _, p := range pipelines {
			if _, err := runBenchmark(s.port, clients, requests/2, p, []string{"-t", "set,get"}); err != nil {
				return nil, fmt.Errorf("%s warm-up -P %d: %w", s.name, p, err)
			}
		}
	}
	var rows []*row
	for _, t := range tests {
		args, ok := benchmarks[t]
		if !ok {
			return nil, fmt.Errorf("unknown benchmark %q", t)
		}
		if why := unsupported(t, cairn, redis); why != "" {
			fmt.Fprintf(os.Stderr, "cairn-bench: skipping %s: %s\n", t, why)
			continue
		}
		for _, p := range pipelines {
			r := &row{test: t, pipeline: p}
			n := requests
			if p > 1 {
				n *= 10
			}
			for i := 0; i < runs; i++ {
				// Every other run Redis goes first, so neither server
				// always runs right after the other's load.
				order := []*server{cairn, redis}
				if i%2 == 1 {
					order[0], order[1] = redis, cairn
				}
				for _, s := range order {
					res, err := runBenchmark(s.port, clients, n, p, args)
					if err != nil {
						return nil, fmt.Errorf("%s %s -P %d: %w", s.name, t, p, err)
					}
					if s == cairn {
						r.cairn = append(r.cairn, res)
					} else {
						r.redis = append(r.redis, res)
					}
				}
			}
			rows = append(rows, r)
		}
	}
	return rows, nil
}

// runBenchmark runs redis-benchmark once and parses its CSV line.
func runBenchmark(port, clients, n, pipeline int, args []string) (result, error) {
	all := []string{"-p", strconv.Itoa(port), "-c", strconv.Itoa(clients), "-n", strconv.Itoa(n),
		"-P", strconv.Itoa(pipeline), "-r", "100000", "--csv", "-q"}
	out, err := exec.Command("redis-benchmark", append(all, args...)...).Output()
	if err != nil {
		return result{}, err
	}
	recs, err := csv.NewReader(strings.NewReader(string(out))).ReadAll()
	if err != nil || len(recs) < 2 {
		return result{}, fmt.Errorf("unexpected output %q", out)
	}
	f := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
	last := recs[len(recs)-1]
	return result{rps: f(last[1]), p50: f(last[4]), p99: f(last[6])}, nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func field(rs []result, f func(result) float64) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = f(r)
	}
	return out
}

func printThroughput(mode string, clients, runs int, rows []*row) {
	fmt.Printf("\n## Throughput, mode %s (redis-benchmark -c %d, median of %d alternating runs)\n\n", mode, clients, runs)
	// The per-run ratios' range shows whether a median near 1.0 is a
	// difference between the servers or the machine's noise.
	fmt.Println("| test | -P | Cairn ops/s | Redis ops/s | ratio (median of per-run ratios) | per-run ratios | Cairn p50/p99 ms | Redis p50/p99 ms |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		rps := func(x result) float64 { return x.rps }
		ratios := make([]float64, len(r.cairn))
		for i := range r.cairn {
			ratios[i] = r.cairn[i].rps / r.redis[i].rps
		}
		fmt.Printf("| %s | %d | %.0f | %.0f | %.2f | %.2f–%.2f | %.3f / %.3f | %.3f / %.3f |\n", r.test, r.pipeline,
			median(field(r.cairn, rps)), median(field(r.redis, rps)), median(ratios), slices.Min(ratios), slices.Max(ratios),
			median(field(r.cairn, func(x result) float64 { return x.p50 })), median(field(r.cairn, func(x result) float64 { return x.p99 })),
			median(field(r.redis, func(x result) float64 { return x.p50 })), median(field(r.redis, func(x result) float64 { return x.p99 })))
	}
}

// unsupported sends t's probe to each server and returns why the row
// cannot run, or "".
func unsupported(t string, servers ...*server) string {
	for _, s := range servers {
		out, err := exec.Command("redis-cli", append([]string{"-p", strconv.Itoa(s.port)}, probes[t]...)...).CombinedOutput()
		if err != nil {
			return fmt.Sprintf("%s: redis-cli: %v", s.name, err)
		}
		if strings.Contains(string(out), "unknown command") {
			return s.name + " does not implement it yet"
		}
	}
	return ""
}
