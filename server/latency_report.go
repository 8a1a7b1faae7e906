package server

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// latencyStats summarizes one series for LATENCY DOCTOR: its samples'
// average, mean absolute deviation, count, and the seconds they span.
type latencyStats struct {
	avg, mad, samples, period int64
}

func analyzeLatency(ts *latencySeries, now int64) latencyStats {
	var ls latencyStats
	var sum, oldest int64
	ts.each(func(s latencySample) {
		ls.samples++
		sum += s.ms
		if oldest == 0 || s.time < oldest {
			oldest = s.time
		}
	})
	if ls.samples == 0 {
		return ls
	}
	ls.avg = sum / ls.samples
	ls.period = max(now-oldest, 1)
	var dev int64
	ts.each(func(s latencySample) {
		d := ls.avg - s.ms
		dev += max(d, -d)
	})
	ls.mad = dev / ls.samples
	return ls
}

// latencyDoctor is LATENCY DOCTOR's report, with Redis's texts and the
// advice that applies to the events Cairn records.
func (s *Server) latencyDoctor() string {
	names, series := s.latency.snapshot()
	threshold := s.latencyThreshold.Load()
	if len(names) == 0 && threshold == 0 {
		return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
	}
	var b strings.Builder
	var slowlogEnable, slowlogTune, slowlogInspect, scheduler, relaxFsync, hz, largeObjects, massEviction, thp bool
	advices := 0
	now := s.now().Unix()
	slower := s.slowlogSlower.Load()
	for i, name := range names {
		if i == 0 {
			b.WriteString("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n")
		}
		ls := analyzeLatency(&series[i], now)
		fmt.Fprintf(&b, "%d. %s: %d latency spikes (average %dms, mean deviation %dms, period %.2f sec). Worst all time event %dms.",
			i+1, name, ls.samples, ls.avg, ls.mad, float64(ls.period)/float64(ls.samples), series[i].max)
		switch strings.ToLower(name) {
		case "command":
			if slower < 0 {
				slowlogEnable = true
				advices++
			} else if slower/1000 > threshold {
				slowlogTune = true
				advices++
			}
			slowlogInspect, largeObjects = true, true
			advices += 2
		case "fast-command":
			scheduler = true
			advices++
		case "aof-fsync-always":
			relaxFsync = true
			advices++
		case "expire-cycle":
			hz, largeObjects = true, true
			advices += 2
		case "eviction-del":
			largeObjects = true
			advices++
		case "eviction-cycle":
			massEviction = true
			advices++
		}
		b.WriteString("\n")
	}
	if anonHugePages() > 0 {
		thp = true
		advices++
	}
	switch {
	case len(names) == 0 && advices == 0:
		b.WriteString("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n")
		return b.String()
	case len(names) > 0 && advices == 0:
		b.WriteString("\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n")
		return b.String()
	}
	b.WriteString("\nI have a few advices for you:\n\n")
	if slowlogEnable {
		fmt.Fprintf(&b, "- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than %d'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n", threshold*1000)
	}
	if slowlogTune {
		fmt.Fprintf(&b, "- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than %d'.\n", threshold*1000)
	}
	if slowlogInspect {
		b.WriteString("- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n")
	}
	if scheduler {
		b.WriteString("- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n" +
			"  1) Lower the system load.\n" +
			"  2) Use a computer / VM just for Redis if you are running other software in the same system.\n" +
			"  3) Check if you have a \"noisy neighbour\" problem.\n" +
			"  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
			"  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n")
	}
	if relaxFsync && s.config().AppendFsync == "always" {
		b.WriteString("- Your fsync policy is set to 'always'. It is very hard to get good performances with such a setup, if possible try to relax the fsync policy to 'onesec'.\n")
	}
	if hz && s.hz.Load() < 100 {
		b.WriteString("- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n")
	}
	if largeObjects {
		b.WriteString("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n")
	}
	if massEviction {
		b.WriteString("- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n")
	}
	if thp {
		b.WriteString("- I detected a non zero amount of anonymous huge pages used by your process. This creates very serious latency events in different conditions, especially when Redis is persisting on disk. To disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into /etc/rc.local so that the command will be executed again after a reboot. Note that even if you have already disabled THP, you still need to restart the Redis process to get rid of the huge pages already created.\n")
	}
	return b.String()
}

// anonHugePages is the process's AnonHugePages in bytes (transparent huge
// pages), from /proc; 0 where there is no /proc.
func anonHugePages() int64 {
	f, err := os.Open("/proc/self/smaps_rollup")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "AnonHugePages:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// latencyGraph is LATENCY GRAPH's ASCII sparkline of a series, as Redis
// draws it: 80 columns, 4 rows, each sample labelled with how long ago it
// was.
func latencyGraph(event string, ts *latencySeries, now int64) string {
	var vals []int64
	var labels []string
	var lo, hi int64
	ts.each(func(s latencySample) {
		if len(vals) == 0 {
			lo, hi = s.ms, s.ms
		}
		lo, hi = min(lo, s.ms), max(hi, s.ms)
		vals = append(vals, s.ms)
		labels = append(labels, agoLabel(now-s.time))
	})
	var b strings.Builder
	fmt.Fprintf(&b, "%s - high %d ms, low %d ms (all time high %d ms)\n", event, hi, lo, ts.max)
	b.WriteString(strings.Repeat("-", 80) + "\n")
	for j := 0; j < len(vals); j += 80 {
		if j != 0 {
			b.WriteString("\n")
		}
		end := min(j+80, len(vals))
		sparkline(&b, vals[j:end], labels[j:end], lo, hi, 4)
	}
	return b.String()
}

// agoLabel is a sample's label: seconds, minutes, hours or days ago.
func agoLabel(elapsed int64) string {
	switch {
	case elapsed < 60:
		return fmt.Sprintf("%ds", elapsed)
	case elapsed < 3600:
		return fmt.Sprintf("%dm", elapsed/60)
	case elapsed < 86400:
		return fmt.Sprintf("%dh", elapsed/3600)
	}
	return fmt.Sprintf("%dd", elapsed/86400)
}

// sparkline draws vals (scaled between the whole sequence's lo and hi)
// in rows of "_o#" characters filled below with '|', then the labels
// written vertically under a blank line, as Redis's sparkline.c with
// SPARKLINE_FILL.
func sparkline(b *strings.Builder, vals []int64, labels []string, lo, hi int64, rows int) {
	const charset = "_o#"
	steps := len(charset) * rows
	rel := float64(hi - lo)
	if rel == 0 {
		rel = 1
	}
	line := make([]byte, len(vals))
	for row := 0; ; row++ {
		more := false
		for j := range line {
			line[j] = ' '
		}
		for j, v := range vals {
			step := int(float64(int(float64(v-lo)*float64(steps))) / rel)
			step = min(max(step, 0), steps-1)
			if row < rows {
				more = true
				switch idx := step - (rows-row-1)*len(charset); {
				case idx >= 0 && idx < len(charset):
					line[j] = charset[idx]
				case idx >= len(charset):
					line[j] = '|'
				}
				continue
			}
			if row == rows { // the blank line above the labels
				more = true
				break
			}
			if c := row - rows - 1; c < len(labels[j]) {
				more = true
				line[j] = labels[j][c]
			}
		}
		if !more {
			return
		}
		b.Write(line)
		b.WriteByte('\n')
	}
}
