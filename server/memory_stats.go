package server

import (
	"runtime/debug"
	"runtime/metrics"
	"strconv"

	"github.com/cairn-db/cairn/store"
)

// memOverhead is MEMORY STATS's figures, as Redis's getMemoryOverheadData
// computes them, from Cairn's own accounting. total is used_memory (the
// keyspace, store/memory.go); the overheads are the parts of it that are
// not data, clients' buffers among them. What Cairn does not count in
// used_memory (the script caches, replication and AOF buffers, which Cairn has not)
// is reported as 0, so that dataset = total - overhead stays true.
type memOverhead struct {
	peak, total, startup int64
	clients              int64 // mem_clients_normal
	dbs                  []dbOverhead
	overheadTotal        int64
	keys                 int64
	bytesPerKey          int64
	dataset              int64
	datasetPerc          float64
	peakPerc             float64

	// The allocator's figures are the Go runtime's: allocated is the heap
	// objects, active adds the unused space of their spans, resident is
	// what the runtime holds from the OS; rss is the process's.
	allocated, active, resident, rss int64
}

type dbOverhead struct {
	db            int
	main, expires int64
}

// memoryOverhead gathers the figures; tx is the command's transaction.
func (s *Server) memoryOverhead(tx *store.Tx) memOverhead {
	used := s.store.UsedMemory()
	m := memOverhead{total: used, peak: s.stats.notePeakMemory(used), startup: s.store.StartupMemory(),
		clients: s.store.BufferMemory()}
	m.overheadTotal = m.startup + m.clients
	for db := 0; tx != nil && db < s.store.Databases(); db++ {
		keys, expires := tx.DBStats(db)
		if keys == 0 {
			continue
		}
		main, exp := store.KeyspaceOverhead(keys, expires)
		m.dbs = append(m.dbs, dbOverhead{db, main, exp})
		m.keys += int64(keys)
		m.overheadTotal += main + exp
	}
	m.dataset = used - m.overheadTotal
	// Redis computes these in single precision.
	m.peakPerc = float64(ratio32(float64(used)*100, float64(m.peak)))
	net := max(used-m.startup, 1)
	m.datasetPerc = float64(ratio32(float64(m.dataset)*100, float64(net)))
	if m.keys > 0 {
		m.bytesPerKey = net / m.keys
	}
	sample := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
	}
	metrics.Read(sample)
	v := func(i int) int64 { return int64(sample[i].Value.Uint64()) }
	m.allocated = v(0)
	m.active = v(0) + v(1)
	m.resident = v(2) - v(3)
	m.rss = rssBytes()
	return m
}

// ratio32 is a/b in single precision, as Redis's float fields; 0 when b
// is 0 (an empty Cairn has used_memory 0, where Redis never has).
func ratio32(a, b float64) float32 {
	if b == 0 {
		return 0
	}
	return float32(a) / float32(b)
}

// MEMORY STATS: a map with Redis 7.0's fields, in its order.
func cmdMemoryStats(c *Context) error {
	m := c.Server.memoryOverhead(c.Tx)
	o := c.Out
	o.Map(27 + len(m.dbs))
	ints := func(pairs ...any) {
		for i := 0; i < len(pairs); i += 2 {
			o.BulkString(pairs[i].(string))
			o.Int(pairs[i+1].(int64))
		}
	}
	ints("peak.allocated", m.peak, "total.allocated", m.total, "startup.allocated", m.startup,
		"replication.backlog", int64(0), "clients.slaves", int64(0), "clients.normal", m.clients,
		"cluster.links", int64(0), "aof.buffer", int64(0), "lua.caches", int64(0), "functions.caches", int64(0))
	for _, d := range m.dbs {
		o.BulkString("db." + strconv.Itoa(d.db))
		o.Map(3)
		ints("overhead.hashtable.main", d.main, "overhead.hashtable.expires", d.expires,
			"overhead.hashtable.slot-to-keys", int64(0))
	}
	ints("overhead.total", m.overheadTotal, "keys.count", m.keys, "keys.bytes-per-key", m.bytesPerKey,
		"dataset.bytes", m.dataset)
	o.BulkString("dataset.percentage")
	o.Double(m.datasetPerc)
	o.BulkString("peak.percentage")
	o.Double(m.peakPerc)
	ints("allocator.allocated", m.allocated, "allocator.active", m.active, "allocator.resident", m.resident)
	o.BulkString("allocator-fragmentation.ratio")
	o.Double(float64(ratio32(float64(m.active), float64(m.allocated))))
	ints("allocator-fragmentation.bytes", m.active-m.allocated)
	o.BulkString("allocator-rss.ratio")
	o.Double(float64(ratio32(float64(m.resident), float64(m.active))))
	ints("allocator-rss.bytes", m.resident-m.active)
	o.BulkString("rss-overhead.ratio")
	o.Double(float64(ratio32(float64(m.rss), float64(m.resident))))
	ints("rss-overhead.bytes", m.rss-m.resident)
	o.BulkString("fragmentation")
	o.Double(float64(ratio32(float64(m.rss), float64(m.total))))
	ints("fragmentation.bytes", m.rss-m.total)
	return nil
}

// MEMORY DOCTOR
func cmdMemoryDoctor(c *Context) error {
	c.Out.Verbatim(c.Server.memoryDoctor(c.Server.memoryOverhead(c.Tx)))
	return nil
}

// MEMORY MALLOC-STATS: Go's allocator has no such report; Redis built
// without jemalloc answers the same.
func cmdMemoryMallocStats(c *Context) error {
	c.Out.BulkString("Stats not supported for the current allocator")
	return nil
}

// MEMORY PURGE returns freed memory to the OS (a garbage collection
// first, as debug.FreeOSMemory does).
func cmdMemoryPurge(c *Context) error {
	debug.FreeOSMemory()
	c.Out.OK()
	return nil
}

// memoryDoctor is MEMORY DOCTOR's report: Redis's texts, for the checks
// that apply to Cairn's figures (there are no replicas).
func (s *Server) memoryDoctor(m memOverhead) string {
	const mb10 = 10 << 20
	if m.total < 5<<20 {
		return "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
	}
	ratio := func(a, b int64) float32 { return ratio32(float64(a), float64(b)) }
	var issues []string
	if ratio(m.peak, m.total) > 1.5 {
		issues = append(issues, " * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n")
	}
	if ratio(m.rss, m.total) > 1.4 && m.rss-m.total > mb10 {
		issues = append(issues, " * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. If the problem is a large peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc allocator and not the default libc malloc. Note: The currently used allocator is \"go\".\n\n")
	}
	if ratio(m.active, m.allocated) > 1.1 && m.active-m.allocated > mb10 {
		issues = append(issues, " * High allocator fragmentation: This instance has an allocator external fragmentation greater than 1.1. This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. You can try enabling 'activedefrag' config option.\n\n")
	}
	if ratio(m.resident, m.active) > 1.1 && m.resident-m.active > mb10 {
		issues = append(issues, " * High allocator RSS overhead: This instance has an RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the allocator is much larger than the sum what the allocator actually holds). This problem is usually due to a large peak memory (check if there is a peak memory entry above in the report), you can try the MEMORY PURGE command to reclaim it.\n\n")
	}
	if ratio(m.rss, m.resident) > 1.1 && m.rss-m.resident > mb10 {
		issues = append(issues, " * High process RSS overhead: This instance has non-allocator RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the Redis process is much larger than the RSS the allocator holds). This problem may be due to Lua scripts or Modules.\n\n")
	}
	if s.scripts.count() > 1000 {
		issues = append(issues, " * Many scripts: There seem to be many cached scripts in this instance (more than 1000). This may be because scripts are generated and `EVAL`ed, instead of being parameterized (with KEYS and ARGV), `SCRIPT LOAD`ed and `EVALSHA`ed. Unless `SCRIPT FLUSH` is called periodically, the scripts' caches may end up consuming most of your memory.\n\n")
	}
	if len(issues) == 0 {
		return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"
	}
	out := "Sam, I detected a few issues in this Redis instance memory implants:\n\n"
	for _, i := range issues {
		out += i
	}
	return out + "I'm here to keep you safe, Sam. I want to help you.\n"
}

// count is the number of cached scripts.
func (sc *scripts) count() int {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return len(sc.cache)
}
