package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The daemon's arguments read as redis-server's main reads them (its
// introspection tests hold the same cases against src/redis-server).
func TestParseArgsAsRedisServer(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		stdin string
		want  map[string]string // setting → value after parsing
		err   string            // or the error's last line
	}{
		{args: []string{"--port", "6380", "--loglevel", "verbose"}, want: map[string]string{"port": "6380", "loglevel": "verbose"}},
		{args: []string{"--port 6380", "--loglevel verbose"}, want: map[string]string{"port": "6380", "loglevel": "verbose"}},
		{args: []string{"CONF", "loglevel", "verbose", "--port", "6380"}, want: map[string]string{"loglevel": "verbose", "port": "6380"}},
		{args: []string{"--proc-title-template", "--my--title--template", "--loglevel", "verbose"},
			want: map[string]string{"proc-title-template": "--my--title--template", "loglevel": "verbose"}},
		{args: []string{"--save", "--loglevel", "verbose"}, want: map[string]string{"save": "", "loglevel": "verbose"}},
		{args: []string{"--save", "100", "100", "--save", "200", "10"}, want: map[string]string{"save": "100 100 200 10"}},
		{args: []string{"-", "--port", "6380"}, stdin: "port 1\nloglevel warning\n", want: map[string]string{"port": "6380", "loglevel": "warning"}},
		{args: []string{"--port"}, err: ">>> 'port'\nwrong number of arguments"},
		{args: []string{"--port", "6379", "6380"}, err: `>>> 'port "6379" "6380"'` + "\nwrong number of arguments"},
		{args: []string{"--port", "--bla", "--loglevel", "verbose"}, err: `>>> 'port "--bla"'` + "\nargument couldn't be parsed into an integer"},
		{args: []string{"--no-such-thing", "1"}, err: "Bad directive or wrong number of arguments"},
	} {
		if tc.args[0] == "CONF" { // a config file first, then the bare words
			conf := filepath.Join(t.TempDir(), "cairn.conf")
			os.WriteFile(conf, []byte("# nothing\n"), 0o644)
			tc.args[0] = conf
		}
		var cfg Config
		err := parseArgs(&cfg, tc.args, strings.NewReader(tc.stdin))
		if tc.err != "" {
			if err == nil || !strings.HasSuffix(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want one ending %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		for name, want := range tc.want {
			if got, _ := cfg.Get(name); got != want {
				t.Errorf("%q: %s = %q, want %q", tc.args, name, got, want)
			}
		}
	}
}

// A value CONFIG REWRITE writes stays on its line and reads back as
// itself.
func TestQuoteConfigRoundTrips(t *testing.T) {
	for _, v := range []string{"", "plain", "a b", "tab\there", "new\nline", `q"uote`, "it's", `back\slash`, "é", "\x01\xff", "\u2028 x"} {
		line := "x " + quoteConfig(v)
		words, err := splitArgs(line)
		if strings.ContainsAny(line, "\r\n") || err != nil || len(words) != 2 || words[1] != v {
			t.Errorf("%q: written %s, read back %q (%v)", v, quoteConfig(v), words, err)
		}
	}
}
