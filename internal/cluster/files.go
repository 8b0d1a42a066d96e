package cluster

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// RepoRoot is the directory holding the repository's go.mod: tests run in
// their package's directory, the scripts and bin/ live at the top.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("working directory: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// buildMu serialises builds within one test binary; build.sh itself copes
// with several test binaries building at once.
var buildMu sync.Mutex

// temporalBinaries returns bin/temporal-server, running
// deploy/temporal/build.sh first (it builds bin/temporal-sql-tool too) so
// that `make test` works on a fresh machine; the script returns at once
// when both are up to date.
func temporalBinaries(t testing.TB) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	root := RepoRoot(t)
	script := filepath.Join(root, "deploy", "temporal", "build.sh")
	cmd := exec.Command("sh", script)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sh deploy/temporal/build.sh: %v\n%s", err, out)
	}
	if len(out) > 0 {
		t.Logf("%s", out)
	}
	return filepath.Join(root, "bin", "temporal-server")
}

// freePorts finds n distinct free ports on 127.0.0.1 below 32768. Temporal
// stores a service's membership port in a PostgreSQL SMALLINT column, so a
// kernel-chosen port (Linux hands them out from 32768 up) makes the server
// die at start. Ports are drawn at random from 10000–32767, a range the
// kernel never assigns on its own, and kept bound until all n are chosen;
// only a process binding the same fixed port in between can still clash.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	const low, high = 10000, 32768
	ports := make([]int, 0, n)
	for tries := 0; len(ports) < n; tries++ {
		if tries > 1000 {
			t.Fatalf("no %d free ports between %d and %d", n, low, high)
		}
		p := low + mrand.IntN(high-low)
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			continue // in use, or taken by this loop already
		}
		defer l.Close()
		ports = append(ports, p)
	}
	return ports
}

// randomName is a fresh lower-case identifier, safe unquoted in SQL.
func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// logTail prints the end of a log file when the test has failed: the temp
// dir holding it is gone once the test ends.
func logTail(t testing.TB, title, path string) {
	if !t.Failed() {
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Logf("%s: %v", title, err)
		return
	}
	const max = 64 << 10
	if len(data) > max {
		data = data[len(data)-max:]
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			data = data[i+1:]
		}
	}
	t.Logf("--- %s (%s, last %d bytes) ---\n%s", title, path, len(data), data)
}

// appendLine writes a marker into a log shared by several runs of a
// process, so a reader sees where a restart happened.
func appendLine(path, format string, args ...any) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "=== "+strings.TrimSuffix(format, "\n")+"\n", args...)
}
