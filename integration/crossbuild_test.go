package integration

import (
	"os"
	"os/exec"
	"testing"
)

// TestBuildsOnOtherSystems: the packages, tests included, compile for
// macOS and Windows, where developers embed the server in their tests.
// Linux-only system calls must stay behind build tags (cmd_info.go once
// broke every non-Linux build).
func TestBuildsOnOtherSystems(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the module twice more")
	}
	for _, goos := range []string{"darwin", "windows"} {
		t.Run(goos, func(t *testing.T) {
			cmd := exec.Command("go", "vet", "./...")
			cmd.Dir = repoRoot()
			cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("GOOS=%s go vet ./...: %v\n%s", goos, err, out)
			}
		})
	}
}
