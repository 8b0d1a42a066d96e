package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"recours/activities"
	"recours/api"
	"recours/internal/embedded"
	"recours/internal/messages"
	"recours/internal/notify"
	"recours/internal/store"
	"recours/internal/trail"
	"recours/web"
	"recours/workflows"
)

// EmbeddedConfig configures the embedded default.
type EmbeddedConfig struct {
	// DataDir holds temporal.db and recours.db; everything survives a restart.
	DataDir string
	// TemporalPort is the embedded frontend's port; 0 picks a free one.
	TemporalPort int
	// DatabaseURL overrides the app database (tests run it on PostgreSQL).
	DatabaseURL string
	// Auth configures the browser sign-in: without an OIDC issuer, the
	// local demo login (no provider needed).
	Auth BrowserAuth
	// Messages says where the messages to claimants go; by default, the
	// outbox folder DataDir/outbox.
	Messages messages.Config
	// Trail says where the access trail's key and checkpoints are.
	Trail TrailConfig
}

// TrailConfig says where the access trail's key and checkpoints are; by
// default, in the data directory, outside the database.
type TrailConfig struct {
	// Key signs the trail; by default the key of DataDir (trail.KeyIn),
	// made the first time.
	Key []byte
	// Checkpoints is the file (a path or file:///path) the checkpoints
	// are appended to; by default DataDir/audit-checkpoints.jsonl.
	Checkpoints string
	// Interval is how often the head is checkpointed, when it moved;
	// trail.DefaultInterval by default.
	Interval time.Duration
}

// Embedded is Recours in one process: Temporal, the store, the worker and
// the API handler.
type Embedded struct {
	Temporal *embedded.Server
	Store    *store.Store
	Client   client.Client
	Worker   worker.Worker
	API      *api.Server
	// Web is the web interface API mounts.
	Web *web.Server

	cancel          context.CancelFunc
	stopCheckpoints func()
}

// DatabaseURL is the app database of the embedded default in dir.
func DatabaseURL(dir string) string { return "sqlite:" + filepath.Join(dir, "recours.db") }

// StartEmbedded starts everything but the HTTP listener.
func StartEmbedded(ctx context.Context, cfg EmbeddedConfig) (_ *Embedded, err error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	e := &Embedded{}
	defer func() {
		if err != nil {
			e.Close()
		}
	}()
	e.Temporal, err = embedded.Start(ctx, embedded.Config{
		DatabaseFile: filepath.Join(cfg.DataDir, "temporal.db"),
		FrontendPort: cfg.TemporalPort,
		Logger:       slog.Default(),
	})
	if err != nil {
		return nil, err
	}
	dsn := cfg.DatabaseURL
	if dsn == "" {
		dsn = DatabaseURL(cfg.DataDir)
	}
	if e.Store, err = store.Open(dsn); err != nil {
		return nil, err
	}
	if err = e.Store.Migrate(ctx); err != nil {
		return nil, err
	}
	if err = e.Store.SeedDemo(ctx); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if e.stopCheckpoints, err = startTrail(e.Store, cfg); err != nil {
		return nil, err
	}
	if e.Client, err = Dial(ctx, e.Temporal.HostPort(), e.Temporal.Namespace(), time.Minute); err != nil {
		return nil, err
	}
	saved := &notify.Hub{}
	msgs := cfg.Messages
	if msgs.OutboxDir == "" {
		msgs.OutboxDir = filepath.Join(cfg.DataDir, "outbox")
	}
	router := messages.NewRouter(msgs)
	// One process: the API seals its actions with a key of this process,
	// and its worker requires it.
	key := processActorKey()
	workflows.RequireSeals(key)
	var acts *activities.Activities
	e.Worker, acts = NewWorker(e.Client, e.Store, saved, router)
	acts.AllowPrivateCallbacks = true // the demo partner listens on this machine
	if err = e.Worker.Start(); err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	var apiCtx context.Context
	apiCtx, e.cancel = context.WithCancel(context.Background())
	if e.API, err = NewAPI(apiCtx, e.Store, e.Client, 30*time.Second); err != nil {
		return nil, err
	}
	e.API.Cases.Saved = saved
	e.API.Cases.ActorKey = key
	e.API.Cases.WorkerInProcess = true
	e.API.Cases.InsecureCallbacks = true // demo partners listen on localhost
	e.Web = WebOf(e.API)
	if router.Outbox != nil {
		e.Web.OutboxDir = router.Outbox.Dir
	}
	browser := cfg.Auth
	browser.LocalLogin = browser.OIDC.Issuer == "" // the demo users sign in locally
	if e.Web.Auth, err = browser.WebConfig(); err != nil {
		return nil, err
	}
	return e, nil
}

// Close stops the worker, then Temporal, then the store; safe on a
// partly started Embedded.
func (e *Embedded) Close() error {
	if e.cancel != nil {
		e.cancel()
	}
	if e.Worker != nil {
		e.Worker.Stop()
	}
	if e.Client != nil {
		e.Client.Close()
	}
	if e.stopCheckpoints != nil {
		e.stopCheckpoints()
	}
	var errs []error
	if e.Temporal != nil {
		errs = append(errs, e.Temporal.Stop())
	}
	if e.Store != nil {
		errs = append(errs, e.Store.Close())
	}
	return errors.Join(errs...)
}

// startTrail gives st the trail's key cfg says and checkpoints its head
// until stop.
func startTrail(st *store.Store, cfg EmbeddedConfig) (stop func(), err error) {
	t := cfg.Trail
	if t.Key == nil {
		if t.Key, err = trail.KeyIn(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	if err := st.SetTrailKey(t.Key); err != nil {
		return nil, err
	}
	if t.Checkpoints == "" {
		t.Checkpoints = filepath.Join(cfg.DataDir, trail.CheckpointsFileName)
	}
	if t.Interval <= 0 {
		t.Interval = trail.DefaultInterval
	}
	log, err := trail.OpenLog(t.Checkpoints)
	if err != nil {
		return nil, err
	}
	return (&trail.Checkpointer{Store: st, Key: t.Key, Log: log}).Start(t.Interval), nil
}
