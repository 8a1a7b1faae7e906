package integration

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

// tally counts deliveries per job.
type tally struct {
	mu   sync.Mutex
	seen map[string]int
}

func (t *tally) add(job string) {
	t.mu.Lock()
	t.seen[job]++
	t.mu.Unlock()
}

// check reports jobs delivered other than exactly once.
func (t *tally) check(tb testing.TB, jobs []string) {
	tb.Helper()
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, j := range jobs {
		if n := t.seen[j]; n != 1 {
			tb.Errorf("job %s delivered %d times", j, n)
		}
	}
	if len(t.seen) != len(jobs) {
		tb.Errorf("%d distinct jobs delivered, %d pushed", len(t.seen), len(jobs))
	}
}

// Four workers loop BRPOP high low 1 while a producer pushes 5,000 jobs
// over the two queues: every job is delivered exactly once.
func TestQueueBRPopWorkers(t *testing.T) {
	srv := servertest.Start(t)
	producer := newClient(t, srv.Addr())
	const total = 5000
	var jobs []string
	for i := 0; i < total; i++ {
		jobs = append(jobs, fmt.Sprint("job", i))
	}
	got := &tally{seen: map[string]int{}}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 4; w++ {
		rdb := newClient(t, srv.Addr())
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				v, err := rdb.BRPop(ctx, time.Second, "high", "low").Result()
				if err == redis.Nil {
					select {
					case <-stop:
						return
					default:
						continue
					}
				}
				if err != nil {
					t.Error(err)
					return
				}
				got.add(v[1])
			}
		}()
	}
	for i, j := range jobs {
		q := "low"
		if i%3 == 0 {
			q = "high"
		}
		if err := producer.LPush(ctx, q, j).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for producer.Exists(ctx, "high", "low").Val() > 0 {
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	got.check(t, jobs)
}

// A reliable queue: workers BLMOVE jobs from src to their own processing
// list and remove them once done; one worker dies mid-way without
// acknowledging, and a reaper moves its jobs back. Many producers and
// consumers run at once; no job is lost or done twice.
func TestQueueReliableBLMove(t *testing.T) {
	srv := servertest.Start(t)
	const producers, consumers, perProducer = 4, 4, 500
	var jobs []string
	for p := 0; p < producers; p++ {
		for i := 0; i < perProducer; i++ {
			jobs = append(jobs, fmt.Sprintf("p%d-%d", p, i))
		}
	}
	done := &tally{seen: map[string]int{}}
	var prodWG, consWG sync.WaitGroup
	for p := 0; p < producers; p++ {
		rdb := newClient(t, srv.Addr())
		prodWG.Add(1)
		go func() {
			defer prodWG.Done()
			for i := 0; i < perProducer; i++ {
				rdb.LPush(ctx, "src", fmt.Sprintf("p%d-%d", p, i))
			}
		}()
	}
	stop := make(chan struct{})
	worker := func(id int, dieAfter int) {
		defer consWG.Done()
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
		defer rdb.Close()
		processing := fmt.Sprint("processing:", id)
		for n := 0; ; n++ {
			job, err := rdb.BLMove(ctx, "src", processing, "RIGHT", "LEFT", 200*time.Millisecond).Result()
			if err == redis.Nil {
				select {
				case <-stop:
					return
				default:
					continue
				}
			}
			if err != nil {
				t.Error(err)
				return
			}
			if n == dieAfter {
				return // killed: the job stays in its processing list
			}
			done.add(job)
			if err := rdb.LRem(ctx, processing, 1, job).Err(); err != nil {
				t.Error(err)
			}
		}
	}
	consWG.Add(consumers + 1)
	go worker(99, 50) // dies holding one job
	for c := 0; c < consumers; c++ {
		go worker(c, -1)
	}
	prodWG.Wait()
	// The reaper: the dead worker's processing list goes back to src.
	reaper := newClient(t, srv.Addr())
	deadline := time.Now().Add(60 * time.Second) // generous: -race on two shared cores
	for {
		for reaper.RPopLPush(ctx, "processing:99", "src").Err() == nil {
		}
		done.mu.Lock()
		n := len(done.seen)
		done.mu.Unlock()
		if n == len(jobs) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	consWG.Wait()
	done.check(t, jobs)
	if n := reaper.DBSize(ctx).Val(); n != 0 {
		t.Errorf("%d keys left: %v", n, reaper.Keys(ctx, "*").Val())
	}
}
