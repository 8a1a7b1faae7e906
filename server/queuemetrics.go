package server

import (
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairn-db/cairn/store"
)

// queueScrapeLimit caps how many keys one scrape reports, so a broad
// pattern cannot turn a scrape into a keyspace dump.
const queueScrapeLimit = 1000

var queueLenDesc = prometheus.NewDesc("cairn_queue_length",
	"Length of the lists matched by metrics-queue-keys.",
	[]string{"db", "key", "type"}, nil)

// queueCollector reports the length of the queues an operator names with
// metrics-queue-keys: exact key names are looked up directly; a glob
// pattern walks the database's keys at each scrape, so keep patterns for
// small keyspaces. Stream group lag and pending counts are the natural
// next series once streams land (see collectQueue).
type queueCollector struct{ s *Server }

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- queueLenDesc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	patterns := c.s.config().MetricsQueueKeys
	if len(patterns) == 0 {
		return
	}
	n := 0
	for db := 0; db < c.s.store.Databases() && n < queueScrapeLimit; db++ {
		c.s.store.View(db, func(tx *store.Tx) error {
			if tx.DBSize() == 0 {
				return nil
			}
			seen := map[string]bool{}
			for _, p := range patterns {
				keys := []string{p}
				if strings.ContainsAny(p, "*?[\\") {
					keys = tx.Keys([]byte(p))
				}
				for _, k := range keys {
					if seen[k] || n >= queueScrapeLimit {
						continue
					}
					seen[k] = true
					if c.collectQueue(ch, tx, db, k) {
						n++
					}
				}
			}
			return nil
		})
	}
}

// collectQueue emits the length of key if it holds a queue-like value.
func (c *queueCollector) collectQueue(ch chan<- prometheus.Metric, tx *store.Tx, db int, key string) bool {
	kind := tx.Type([]byte(key))
	var length int
	switch kind {
	case store.KindList:
		l, err := tx.ListLen([]byte(key))
		if err != nil {
			return false
		}
		length = l
	default:
		return false
	}
	ch <- prometheus.MustNewConstMetric(queueLenDesc, prometheus.GaugeValue, float64(length), strconv.Itoa(db), key, kind.String())
	return true
}
