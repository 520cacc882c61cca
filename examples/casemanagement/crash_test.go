package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/safeguarding-partnerships/escalation/engine"
)

// serveEnv, set in a test binary's environment, makes it the server: the
// crash test runs this same binary as a process of its own, and kills it.
const serveEnv = "CASEMANAGEMENT_TEST_SERVE"

func TestMain(m *testing.M) {
	if os.Getenv(serveEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// serverProcess is the service running as a process of its own.
type serverProcess struct {
	cmd *exec.Cmd
	url string
}

// startProcess starts the test binary as the server on a free loopback
// port, and waits for it to listen.
func startProcess(t *testing.T, db, tokens string) *serverProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-db", db, "-addr", "127.0.0.1:0", "-tokens", tokens)
	cmd.Env = append(os.Environ(), serveEnv+"=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill() // it may have been killed already
		cmd.Wait()
	})
	listening := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stderr)
		for lines.Scan() {
			var l struct{ Msg, Addr string }
			if json.Unmarshal(lines.Bytes(), &l) == nil && l.Msg == "listening" {
				listening <- l.Addr
				break
			}
		}
		io.Copy(io.Discard, stderr) // keep its log from blocking it
	}()
	select {
	case addr := <-listening:
		return &serverProcess{cmd: cmd, url: "http://" + addr}
	case <-time.After(60 * time.Second):
		t.Fatal("the server process did not listen within 60 s")
	}
	return nil
}

// kill sends SIGKILL: no shutdown, no flush, nothing the process can do.
func (p *serverProcess) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait() // killed: its error says so
}

// acked is one acknowledged write: the entry the answer returned.
type acked struct {
	Case string
	Seq  int
	Hash engine.Digest
}

// The server is killed with SIGKILL three times in the middle of a burst of
// writes from eight clients (dated in 2025: the process runs on the real
// clock, which refuses acts in the future). After each restart every write it had
// acknowledged is in the record, as acknowledged, and every case verifies
// (the server reads each record only after verifying it, and the verify
// command checks them all against the audit log).
func TestAKilledServerLosesNoAcknowledgedWrite(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cases.db")
	tokens := filepath.Join(dir, "tokens.json")
	data, err := json.Marshal(map[string]Identity{tokenOf("asha"): testIdentities["asha"], tokenOf("lee"): testIdentities["lee"], tokenOf("admin"): testIdentities["admin"]})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tokens, data, 0o600); err != nil {
		t.Fatal(err)
	}

	const (
		rounds  = 3
		clients = 8
		perKill = 400 // acknowledged writes in a round before the kill
	)
	var (
		mu  sync.Mutex
		all []acked
	)
	for round := range rounds {
		p := startProcess(t, db, tokens)
		checkAcked(t, p.url, all)
		var (
			n      atomic.Int64
			killed = make(chan struct{})
			once   sync.Once
			wg     sync.WaitGroup
		)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		for c := range clients {
			wg.Go(func() {
				id := fmt.Sprintf("r%d-c%d", round, c)
				a, ok := crashAct(p.url, "asha", "POST", "/cases", map[string]any{"policy": "sefton", "id": id, "role": "practitioner", "at": "2025-11-03T10:00:00Z",
					"facts": map[string]any{"significant_harm_concern": true}})
				for ok && ctx.Err() == nil {
					mu.Lock()
					all = append(all, acked{id, a.Entry.Seq, a.Entry.Hash})
					mu.Unlock()
					if n.Add(1) == perKill {
						once.Do(func() {
							p.cmd.Process.Kill() // SIGKILL, while the other clients' requests are in flight
							close(killed)
						})
					}
					a, ok = crashAct(p.url, "lee", "POST", "/cases/"+id+"/events", map[string]any{
						"event": "refer_to_childrens_social_care", "role": "line_manager", "at": "2025-11-03T11:00:00Z", "revision": a.Head.Revision,
					})
				}
			})
		}
		select {
		case <-killed:
		case <-ctx.Done():
			status, raw, err := sendAs("admin", "GET", p.url+"/cases/r0-c0", nil)
			t.Fatalf("round %d: %d writes acknowledged in 60 s, fewer than %d (reading a case: %d %s %v)", round, n.Load(), perKill, status, raw, err)
		}
		wg.Wait()
		cancel()
		p.cmd.Wait() // killed: its error says so
		t.Logf("round %d: SIGKILL after %d acknowledged writes", round, n.Load())
	}

	p := startProcess(t, db, tokens)
	checkAcked(t, p.url, all)
	p.kill(t)
	out, err := verifyCommand(t, "-db", db)
	if err != nil {
		t.Errorf("verify after the crashes: %v\n%s", err, out)
	}
	t.Logf("%d acknowledged writes across %d kills, all present after restart; verify: %s", len(all), rounds, out)
}

// crashAct sends one act; ok is false when it was not acknowledged (the
// connection was cut by the kill).
func crashAct(url, actor, method, path string, body map[string]any) (act, bool) {
	status, raw, err := sendAs(actor, method, url+path, body)
	var a act
	if err != nil || (status != http.StatusOK && status != http.StatusCreated) || json.Unmarshal(raw, &a) != nil {
		return a, false
	}
	return a, a.Entry != nil
}

// checkAcked checks, over the API, that every acknowledged write is in its
// case's record as it was acknowledged. Reading a record verifies it.
func checkAcked(t *testing.T, url string, all []acked) {
	t.Helper()
	byCase := map[string]map[int]engine.Digest{}
	for _, a := range all {
		if byCase[a.Case] == nil {
			byCase[a.Case] = map[int]engine.Digest{}
		}
		byCase[a.Case][a.Seq] = a.Hash
	}
	for id, want := range byCase {
		got := map[int]engine.Digest{}
		for next := "/cases/" + id + "/record?limit=1000"; next != ""; {
			status, raw, err := sendAs("admin", "GET", url+next, nil)
			if err != nil || status != http.StatusOK {
				t.Fatalf("reading case %s's record after a restart: %d %s %v", id, status, raw, err)
			}
			var page recordPage
			if err := json.Unmarshal(raw, &page); err != nil {
				t.Fatal(err)
			}
			for _, en := range page.Entries {
				got[en.Seq] = en.Hash
			}
			next = page.Next
		}
		for seq, hash := range want {
			if got[seq] != hash {
				t.Errorf("case %s: acknowledged entry %d is %v after a restart", id, seq, got[seq])
			}
		}
	}
}
