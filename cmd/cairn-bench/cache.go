package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"os/exec"
	"strconv"
	"strings"
)

// The cache workload: a server with maxmemory and an eviction policy is
// first written ten times maxmemory of data, then serves a cache-aside
// loop (GET; on a miss, SET) over keys drawn from a Zipf distribution.
// It reports the hit rate, used_memory against maxmemory, and RSS.

type cacheResult struct {
	hitRate  float64
	used     int64 // used_memory at the end
	rss      int64
	evicted  int64
	written  int64 // bytes written in the fill phase
	maxBytes int64
}

const cacheValueSize = 1000

func (b *bench) cache(kind string, maxBytes int64, policy string, ops int) (*cacheResult, error) {
	s, err := b.start(kind, "memory", "--maxmemory", strconv.FormatInt(maxBytes, 10), "--maxmemory-policy", policy)
	if err != nil {
		return nil, err
	}
	defer s.stop()
	conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(s.port))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	r, w := bufio.NewReader(conn), bufio.NewWriterSize(conn, 1<<16)
	keys := int(10 * maxBytes / cacheValueSize)
	val := strings.Repeat("v", cacheValueSize)
	set := func(i int) {
		k := "cache:" + strconv.Itoa(i)
		fmt.Fprintf(w, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(k), k, len(val), val)
	}
	// Fill: every key once, 10x maxmemory in all, pipelined 100 at a time.
	for i := 0; i < keys; i += 100 {
		n := min(100, keys-i)
		for j := i; j < i+n; j++ {
			set(j)
		}
		if err := w.Flush(); err != nil {
			return nil, err
		}
		for range n {
			if line, err := r.ReadString('\n'); err != nil || line != "+OK\r\n" {
				return nil, fmt.Errorf("%s fill: SET = %q, %v", kind, line, err)
			}
		}
	}
	// Zipf reads, cache-aside, 100 GETs per round trip.
	zipf := rand.NewZipf(rand.New(rand.NewPCG(1, 2)), 1.1, 1, uint64(keys-1))
	hits := 0
	batch := make([]int, 100)
	for done := 0; done < ops; done += len(batch) {
		for i := range batch {
			batch[i] = int(zipf.Uint64())
			k := "cache:" + strconv.Itoa(batch[i])
			fmt.Fprintf(w, "*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n", len(k), k)
		}
		if err := w.Flush(); err != nil {
			return nil, err
		}
		var miss []int
		for _, k := range batch {
			line, err := r.ReadString('\n')
			if err != nil {
				return nil, err
			}
			if line == "$-1\r\n" {
				miss = append(miss, k)
				continue
			}
			hits++
			if _, err := r.Discard(cacheValueSize + 2); err != nil {
				return nil, err
			}
		}
		for _, k := range miss {
			set(k)
		}
		w.Flush()
		for range miss {
			if line, err := r.ReadString('\n'); err != nil || line != "+OK\r\n" {
				return nil, fmt.Errorf("%s: SET = %q, %v", kind, line, err)
			}
		}
	}
	used, err := usedMemory(s.port)
	if err != nil {
		return nil, err
	}
	evicted, _ := infoField(s.port, "stats", "evicted_keys")
	return &cacheResult{
		hitRate: float64(hits) / float64(ops), used: used, rss: s.rss(), evicted: evicted,
		written: int64(keys) * cacheValueSize, maxBytes: maxBytes,
	}, nil
}

// infoField reads one integer field of an INFO section.
func infoField(port int, section, field string) (int64, error) {
	out, err := runCLI(port, "INFO", section)
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), field+":"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in INFO %s", field, section)
}

func printCache(maxBytes int64, ops int, res map[string]map[string]*cacheResult, policies []string) {
	mb := float64(maxBytes) / (1 << 20)
	fmt.Printf("\n## Cache: maxmemory %.0f MiB, %.0f MiB written (10x), then %d Zipf(1.1) GETs with SET on miss, %d-byte values\n\n", mb, 10*mb, ops, cacheValueSize)
	fmt.Println("| policy | server | hit rate | used_memory / maxmemory | RSS (MiB) | RSS / maxmemory | evicted_keys |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, p := range policies {
		for _, kind := range []string{"cairn", "redis"} {
			r := res[p][kind]
			if r == nil {
				continue
			}
			fmt.Printf("| %s | %s | %.3f | %.2f | %.0f | %.2f | %d |\n", p, kind, r.hitRate,
				float64(r.used)/float64(r.maxBytes), float64(r.rss)/(1<<20), float64(r.rss)/float64(r.maxBytes), r.evicted)
		}
	}
}

// runCLI runs one command with redis-cli and returns its output.
func runCLI(port int, args ...string) (string, error) {
	out, err := exec.Command("redis-cli", append([]string{"-p", strconv.Itoa(port)}, args...)...).Output()
	return string(out), err
}

// runCache runs the cache workload for each policy on both servers.
func (b *bench) runCache(maxmemory string, policies []string, ops int) error {
	maxBytes, err := parseSize(maxmemory)
	if err != nil {
		return err
	}
	res := map[string]map[string]*cacheResult{}
	for _, p := range policies {
		res[p] = map[string]*cacheResult{}
		for _, kind := range []string{"cairn", "redis"} {
			r, err := b.cache(kind, maxBytes, p, ops)
			if err != nil {
				return err
			}
			res[p][kind] = r
		}
	}
	printCache(maxBytes, ops, res, policies)
	return nil
}

// parseSize reads a size like 64mb (binary units).
func parseSize(s string) (int64, error) {
	s = strings.ToLower(s)
	mult := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10}} {
		if strings.HasSuffix(s, u.suf) {
			s, mult = strings.TrimSuffix(s, u.suf), u.m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n * mult, err
}
