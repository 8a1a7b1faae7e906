package integration

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestBGSaveUnderTransactionsSurvivesSIGKILL: the memory engine's BGSAVE
// runs while clients keep applying MULTI/EXEC transactions, each of which
// increments all 100 counters of one group. The daemon is then killed
// with SIGKILL and restarted from dump.rdb: every group's counters must
// be equal, as they are at any single point in time. A save that mixed
// keys from before and after a transaction (a walk without copy-on-write)
// would break a group.
func TestBGSaveUnderTransactionsSurvivesSIGKILL(t *testing.T) {
	const groups, perGroup = 2000, 100
	dir := t.TempDir()
	p := startCairn(t, "--engine", "memory", "--dir", dir, "--save", "")
	c := newClient(t, p.addr)
	pipe := c.Pipeline()
	// A group's counters lie spread over the keyspace, so that the save's
	// walk is always between some of them.
	for i := range perGroup {
		args := make([]any, 0, 2*groups)
		for g := range groups {
			args = append(args, counter(g, i), 0)
		}
		pipe.MSet(ctx, args...)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var txs [2]int
	for w := range txs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wc := newClient(t, p.addr)
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for {
				select {
				case <-stop:
					return
				default:
				}
				g := r.IntN(groups)
				_, err := wc.TxPipelined(ctx, func(tx redis.Pipeliner) error {
					for i := range perGroup {
						tx.Incr(ctx, counter(g, i))
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				txs[w]++
			}
		}()
	}
	time.Sleep(50 * time.Millisecond) // transactions under way
	if err := c.BgSave(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		info := c.Info(ctx, "persistence").Val()
		if strings.Contains(info, "rdb_bgsave_in_progress:0") {
			if !strings.Contains(info, "rdb_last_bgsave_status:ok") {
				t.Fatalf("BGSAVE failed: %s", info)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("BGSAVE still running after 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if txs[0]+txs[1] == 0 {
		t.Fatal("no transaction ran")
	}
	p.kill()

	p = startCairn(t, "--engine", "memory", "--dir", dir, "--save", "")
	c = newClient(t, p.addr)
	for deadline := time.Now().Add(10 * time.Second); c.Ping(ctx).Err() != nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("not loaded after 10 s")
		}
	}
	saved := 0
	for g := range groups {
		keys := make([]string, perGroup)
		for i := range keys {
			keys[i] = counter(g, i)
		}
		vals, err := c.MGet(ctx, keys...).Result()
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if v != vals[0] {
				t.Fatalf("group %d after the restart: %s = %v, %s = %v (%d transactions ran)", g, keys[0], vals[0], keys[i], v, txs[0]+txs[1])
			}
		}
		if vals[0] != "0" {
			saved++
		}
	}
	if saved == 0 {
		t.Fatalf("the file holds none of the %d transactions", txs[0]+txs[1])
	}
	t.Logf("%d transactions in all; %d groups incremented in the file", txs[0]+txs[1], saved)
}

func counter(g, i int) string { return fmt.Sprintf("c:%d:%d", g, i) }
