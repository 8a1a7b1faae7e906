package integration

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/server/servertest"
)

func TestZZSeedProfile(t *testing.T) {
	if os.Getenv("PROF_SEED") == "" {
		t.Skip("manual profiling only")
	}
	srv := servertest.Start(t)
	nc, _ := net.Dial("tcp", srv.Addr())
	defer nc.Close()
	const keys, batch = 498501, 500
	calls := (keys + batch - 1) / batch
	done := make(chan struct{})
	go func() {
		r := bufio.NewReader(nc)
		for i := 0; i < calls; i++ {
			r.ReadString('\n')
		}
		close(done)
	}()
	start := time.Now()
	w := bufio.NewWriterSize(nc, 1<<16)
	for i := 0; i < keys; i += batch {
		n := min(batch, keys-i)
		fmt.Fprintf(w, "*%d\r\n$4\r\nMSET\r\n", 1+2*n)
		for j := i; j < i+n; j++ {
			k := fmt.Sprintf("rate:%05d:%05d", 10000+j/1000, 10000+j%1000)
			v := fmt.Sprintf(`{"rate":%d.%02d,"svc":"ground","zone":%03d}`, 5+j%40, j%100, j%997)
			fmt.Fprintf(w, "$%d\r\n%s\r\n$%d\r\n%s\r\n", len(k), k, len(v), v)
		}
	}
	w.Flush()
	<-done
	t.Logf("load %v %s", time.Since(start), strings.Repeat("", 0))
}
