package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"
)

// savePauseResult is the save-pause workload's outcome on one server.
type savePauseResult struct {
	during, idle []time.Duration // slowest GET while a BGSAVE ran, and over as long with none
	save         []time.Duration // BGSAVE's reply to rdb_bgsave_in_progress:0
}

// savePause measures how long commands wait while a background save
// runs: on each server (memory engine, no persistence otherwise) it loads
// keys as the seeding workload does, then, runs times, sends BGSAVE and
// GETs one key back to back until the save is done, keeping the slowest
// GET; and as many GETs with no save running, for the machine's own noise.
// Redis forks, so its figure is the fork's pause; Cairn's is its walk's
// steps (store/rdb_snapshot.go).
func (b *bench) savePause(keys, runs int) (map[string]*savePauseResult, error) {
	res := map[string]*savePauseResult{}
	for _, kind := range []string{"cairn", "redis"} {
		s, err := b.start(kind, "memory")
		if err != nil {
			return nil, err
		}
		r, err := measureSavePause(s.port, keys, runs)
		s.stop()
		if err != nil {
			return nil, fmt.Errorf("%s save pause: %w", kind, err)
		}
		res[kind] = r
	}
	return res, nil
}

func measureSavePause(port, keys, runs int) (*savePauseResult, error) {
	if _, err := loadKeys(port, keys); err != nil {
		return nil, err
	}
	c, err := dialRESP(port)
	if err != nil {
		return nil, err
	}
	defer c.conn.Close()
	get := func() (time.Duration, error) {
		start := time.Now()
		_, err := c.do("GET", seedKey(0))
		return time.Since(start), err
	}
	res := &savePauseResult{}
	for range runs {
		if reply, err := c.do("BGSAVE"); err != nil || !strings.HasPrefix(reply, "+") {
			return nil, fmt.Errorf("BGSAVE: %q %v", reply, err)
		}
		start, slowest := time.Now(), time.Duration(0)
		for n := 1; ; n++ {
			d, err := get()
			if err != nil {
				return nil, err
			}
			slowest = max(slowest, d)
			if n%16 != 0 {
				continue
			}
			info, err := c.do("INFO", "persistence")
			if err != nil {
				return nil, err
			}
			if strings.Contains(info, "rdb_bgsave_in_progress:0") {
				break
			}
		}
		took := time.Since(start)
		res.during, res.save = append(res.during, slowest), append(res.save, took)
		idle := time.Duration(0)
		for start := time.Now(); time.Since(start) < took; {
			d, err := get()
			if err != nil {
				return nil, err
			}
			idle = max(idle, d)
		}
		res.idle = append(res.idle, idle)
	}
	return res, nil
}

// respConn is a minimal RESP client: enough for status, integer and bulk
// replies.
type respConn struct {
	conn net.Conn
	r    *bufio.Reader
}

func dialRESP(port int) (*respConn, error) {
	conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return nil, err
	}
	return &respConn{conn: conn, r: bufio.NewReader(conn)}, nil
}

// do sends a command and returns its reply: a status, error or integer
// line as it came, or a bulk string's contents.
func (c *respConn) do(args ...string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.conn.Write([]byte(b.String())); err != nil {
		return "", err
	}
	line, err := c.r.ReadString('\n')
	if err != nil || line[0] != '$' {
		return line, err
	}
	n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
	if n < 0 {
		return "", nil
	}
	body := make([]byte, n+2)
	if _, err := io.ReadFull(c.r, body); err != nil {
		return "", err
	}
	return string(body[:n]), nil
}

func printSavePause(keys int, res map[string]*savePauseResult) {
	c, r := res["cairn"], res["redis"]
	ms := func(ds []time.Duration) string {
		out := make([]string, len(ds))
		for i, d := range ds {
			out[i] = fmt.Sprintf("%.1f", float64(d.Microseconds())/1000)
		}
		return strings.Join(out, " / ")
	}
	secs := func(ds []time.Duration) float64 {
		return median(slices.Collect(func(yield func(float64) bool) {
			for _, d := range ds {
				yield(d.Seconds())
			}
		}))
	}
	fmt.Printf("\n## Save pause: BGSAVE of %d keys (seeding workload) while one client GETs back to back\n\n", keys)
	fmt.Println("| | Cairn | Redis |")
	fmt.Println("|---|---|---|")
	fmt.Printf("| slowest GET during the save, per run (ms) | %s | %s |\n", ms(c.during), ms(r.during))
	fmt.Printf("| slowest GET over as long with no save (ms) | %s | %s |\n", ms(c.idle), ms(r.idle))
	fmt.Printf("| save duration, median (s) | %.2f | %.2f |\n", secs(c.save), secs(r.save))
}
