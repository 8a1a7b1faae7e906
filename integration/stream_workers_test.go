package integration

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestStreamWorkerPool is the task-queue use of streams: producers XADD
// 5,000 tasks, four workers in one group XREADGROUP BLOCK and XACK, and
// two of them crash (drop their connection) while holding unacknowledged
// tasks. The survivors take the first one's tasks over with XPENDING +
// XCLAIM and the second's with XAUTOCLAIM. Every task is acknowledged
// exactly once, none is lost, and XPENDING and XINFO agree.
func TestStreamWorkerPool(t *testing.T) {
	const tasks, producers = 5000, 2
	srv := servertest.Start(t)
	admin := newClient(t, srv.Addr())
	if err := admin.XGroupCreateMkStream(ctx, "tasks", "workers", "$").Err(); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	processed := map[int]int{} // task number → times processed
	acked := map[string]bool{} // entry ID → acknowledged
	process := func(rdb *redis.Client, msgs []redis.XMessage) {
		for _, m := range msgs {
			n, _ := strconv.Atoi(m.Values["n"].(string))
			mu.Lock()
			processed[n]++
			mu.Unlock()
			if got := rdb.XAck(ctx, "tasks", "workers", m.ID).Val(); got != 1 {
				t.Errorf("XACK %s = %d: acknowledged twice?", m.ID, got)
			}
			mu.Lock()
			acked[m.ID] = true
			mu.Unlock()
		}
	}
	var produced, wg sync.WaitGroup
	producing := make(chan struct{})
	for p := 0; p < producers; p++ {
		produced.Add(1)
		go func(p int) {
			defer produced.Done()
			rdb := newClient(t, srv.Addr())
			for n := p; n < tasks; n += producers {
				if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: "tasks", Values: []string{"n", strconv.Itoa(n)}}).Err(); err != nil {
					t.Error(err)
					return
				}
			}
		}(p)
	}

	go func() { produced.Wait(); close(producing) }()

	// A worker reads batches until the stream is drained after the
	// producers finished; crashAfter > 0 makes it vanish, with its last
	// batch unacknowledged, after that many batches.
	worker := func(name string, crashAfter int) {
		defer wg.Done()
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: 1})
		defer rdb.Close()
		for batch := 1; ; batch++ {
			res, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "workers", Consumer: name,
				Streams: []string{"tasks", ">"}, Count: 10, Block: 50 * time.Millisecond}).Result()
			if err == redis.Nil {
				select {
				case <-producing:
					if crashAfter > 0 {
						t.Errorf("%s: the stream drained before it could crash", name)
					}
					return // drained
				default:
				}
				if crashAfter > 0 {
					batch-- // a crashing worker must crash holding tasks
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", name, err)
				return
			}
			if batch == crashAfter {
				return // crash: the connection closes with the batch pending
			}
			process(rdb, res[0].Messages)
		}
	}
	wg.Add(4)
	go worker("crash-1", 3)
	go worker("crash-2", 5)
	go worker("w1", 0)
	go worker("w2", 0)
	wg.Wait()

	// Survivors stop once all but the crashed workers' tasks are done;
	// now recover those.
	rdb := newClient(t, srv.Addr())
	pend := rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "tasks", Group: "workers", Start: "-", End: "+", Count: 100, Consumer: "crash-1"}).Val()
	if len(pend) == 0 {
		t.Fatal("crash-1 holds no pending task")
	}
	var ids []string
	for _, p := range pend {
		ids = append(ids, p.ID)
	}
	claimed := rdb.XClaim(ctx, &redis.XClaimArgs{Stream: "tasks", Group: "workers", Consumer: "w1", MinIdle: 0, Messages: ids}).Val()
	if len(claimed) != len(ids) {
		t.Fatalf("XCLAIM took %d of %d", len(claimed), len(ids))
	}
	process(rdb, claimed)
	msgs, start, err := rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: "tasks", Group: "workers", Consumer: "w2", MinIdle: 0, Start: "0-0", Count: 100}).Result()
	if err != nil || len(msgs) == 0 || start != "0-0" {
		t.Fatalf("XAUTOCLAIM: %d messages, cursor %s, %v", len(msgs), start, err)
	}
	process(rdb, msgs)

	for n := 0; n < tasks; n++ {
		if processed[n] == 0 {
			t.Fatalf("task %d was never processed", n)
		}
	}
	if len(acked) != tasks {
		t.Fatalf("%d tasks acknowledged, want %d", len(acked), tasks)
	}
	if p := rdb.XPending(ctx, "tasks", "workers").Val(); p.Count != 0 {
		t.Fatalf("XPENDING after recovery: %+v", p)
	}
	groups := rdb.XInfoGroups(ctx, "tasks").Val()
	if len(groups) != 1 || groups[0].Pending != 0 || groups[0].EntriesRead != tasks || groups[0].Lag != 0 || groups[0].Consumers != 4 {
		t.Fatalf("XINFO GROUPS: %+v", groups)
	}
	for _, c := range rdb.XInfoConsumers(ctx, "tasks", "workers").Val() {
		if c.Pending != 0 {
			t.Fatalf("consumer %s still has %d pending", c.Name, c.Pending)
		}
	}
	if n := rdb.XLen(ctx, "tasks").Val(); n != tasks {
		t.Fatalf("XLEN = %d", n)
	}
	t.Logf("recovered %d tasks with XCLAIM and %d with XAUTOCLAIM", len(claimed), len(msgs))
}
