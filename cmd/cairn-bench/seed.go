package main

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// seedResult is the seeding workload's outcome on one server.
type seedResult struct {
	load       []time.Duration
	rssPerKey  []float64
	usedPerKey []float64 // used_memory per key (Cairn's is its own accounting)
}

// seed loads keys with pipelined MSET of 500 pairs per call on fresh
// servers, verifies them with MGET, and measures load time and memory.
func (b *bench) seed(mode string, keys, runs int) (map[string]*seedResult, error) {
	res := map[string]*seedResult{"cairn": {}, "redis": {}}
	for i := 0; i < runs; i++ {
		for _, kind := range []string{"cairn", "redis"} {
			s, err := b.start(kind, mode)
			if err != nil {
				return nil, err
			}
			base := s.rss()
			d, err := loadKeys(s.port, keys)
			if err == nil {
				err = verifyKeys(s.port, keys)
			}
			if err != nil {
				s.stop()
				return nil, fmt.Errorf("%s seeding: %w", kind, err)
			}
			time.Sleep(500 * time.Millisecond) // let the allocator settle before reading RSS
			r := res[kind]
			r.load = append(r.load, d)
			r.rssPerKey = append(r.rssPerKey, float64(s.rss()-base)/float64(keys))
			if used, err := usedMemory(s.port); err == nil {
				r.usedPerKey = append(r.usedPerKey, float64(used)/float64(keys))
			}
			s.stop()
		}
	}
	return res, nil
}

func seedKey(i int) string { return fmt.Sprintf("rate:%05d:%05d", 10000+i/1000, 10000+i%1000) }

// seedValue is ~40 bytes, like a cached rate quote.
func seedValue(i int) string {
	return fmt.Sprintf(`{"rate":%d.%02d,"svc":"ground","zone":%03d}`, 5+i%40, i%100, i%997)
}

// loadKeys sends every MSET without waiting, reading replies concurrently.
func loadKeys(port, keys int) (time.Duration, error) {
	conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	const batch = 500
	calls := (keys + batch - 1) / batch
	start := time.Now()
	errc := make(chan error, 1)
	go func() {
		r := bufio.NewReader(conn)
		for i := 0; i < calls; i++ {
			line, err := r.ReadString('\n')
			if err != nil {
				errc <- err
				return
			}
			if line != "+OK\r\n" {
				errc <- fmt.Errorf("MSET reply %q", line)
				return
			}
		}
		errc <- nil
	}()
	w := bufio.NewWriterSize(conn, 1<<16)
	for i := 0; i < keys; i += batch {
		n := min(batch, keys-i)
		fmt.Fprintf(w, "*%d\r\n$4\r\nMSET\r\n", 1+2*n)
		for j := i; j < i+n; j++ {
			k, v := seedKey(j), seedValue(j)
			fmt.Fprintf(w, "$%d\r\n%s\r\n$%d\r\n%s\r\n", len(k), k, len(v), v)
		}
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	if err := <-errc; err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// verifyKeys reads every key back with MGET and checks its value.
func verifyKeys(port, keys int) error {
	conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return err
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	for i := 0; i < keys; i += 500 {
		n := min(500, keys-i)
		var b strings.Builder
		fmt.Fprintf(&b, "*%d\r\n$4\r\nMGET\r\n", 1+n)
		for j := i; j < i+n; j++ {
			k := seedKey(j)
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(k), k)
		}
		if _, err := conn.Write([]byte(b.String())); err != nil {
			return err
		}
		if _, err := r.ReadString('\n'); err != nil {
			return err
		}
		for j := i; j < i+n; j++ {
			if _, err := r.ReadString('\n'); err != nil {
				return err
			}
			v, err := r.ReadString('\n')
			if err != nil {
				return err
			}
			if strings.TrimSuffix(v, "\r\n") != seedValue(j) {
				return fmt.Errorf("MGET %s = %q", seedKey(j), v)
			}
		}
	}
	return nil
}

// usedMemory reads used_memory from INFO memory.
func usedMemory(port int) (int64, error) {
	c, err := dialRESP(port)
	if err != nil {
		return 0, err
	}
	defer c.conn.Close()
	info, err := c.do("INFO", "memory")
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(l, "used_memory:"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, fmt.Errorf("no used_memory in INFO")
}

func printSeed(mode string, keys int, res map[string]*seedResult) {
	c, r := res["cairn"], res["redis"]
	secs := func(ds []time.Duration) []float64 {
		out := make([]float64, len(ds))
		for i, d := range ds {
			out[i] = d.Seconds()
		}
		return out
	}
	fmt.Printf("\n## Seeding, mode %s: %d keys, pipelined MSET of 500 pairs, verified with MGET (median of %d runs)\n\n", mode, keys, len(c.load))
	fmt.Println("| | Cairn | Redis | Cairn/Redis |")
	fmt.Println("|---|---|---|---|")
	cl, rl := median(secs(c.load)), median(secs(r.load))
	fmt.Printf("| load time (s) | %.2f | %.2f | %.2f |\n", cl, rl, cl/rl)
	cm, rm := median(c.rssPerKey), median(r.rssPerKey)
	fmt.Printf("| RSS growth per key (bytes) | %.0f | %.0f | %.2f |\n", cm, rm, cm/rm)
	if len(c.usedPerKey) > 0 && len(r.usedPerKey) > 0 {
		cu, ru := median(c.usedPerKey), median(r.usedPerKey)
		fmt.Printf("| used_memory per key (bytes) | %.0f | %.0f | %.2f |\n", cu, ru, cu/ru)
	}
}
