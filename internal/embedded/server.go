package embedded

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/testing/freeport"
	"go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

const (
	clusterName  = "active"
	readyTimeout = 60 * time.Second
)

// Config describes an embedded server. The zero value is a valid ephemeral
// test server on 127.0.0.1 with the "default" namespace.
type Config struct {
	// DatabaseFile is the SQLite file holding all server state. It is created
	// (with its schema) if missing. Empty means an in-memory database that
	// vanishes with the server: only suitable for tests.
	DatabaseFile string
	// Namespace is created at start if it does not exist. Default "default".
	Namespace string
	// FrontendIP is the address the frontend gRPC API binds to. Default
	// "127.0.0.1"; the other services always bind to localhost.
	FrontendIP string
	// FrontendPort of the gRPC API. 0 picks a free port.
	FrontendPort int
	// Logger receives server logs at WARN and above. nil discards them.
	Logger *slog.Logger
	// SearchAttributes are custom search attributes registered on Namespace.
	SearchAttributes map[string]enumspb.IndexedValueType
}

// Server is a running embedded Temporal server.
type Server struct {
	srv       temporal.Server
	logger    slogLogger
	hostPort  string
	namespace string

	stopOnce sync.Once
	stopErr  error
}

// Start builds the server, starts it, and returns once the frontend answers
// requests for the namespace (or ctx / a 60s deadline expires).
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Namespace == "" {
		cfg.Namespace = "default"
	}
	if cfg.FrontendIP == "" {
		cfg.FrontendIP = "127.0.0.1"
	}
	if cfg.FrontendPort == 0 {
		cfg.FrontendPort = freeport.MustGetFreePort()
	}
	logger := newSlogLogger(cfg.Logger)

	sqlCfg, err := prepareDatabase(ctx, cfg)
	if err != nil {
		return nil, err
	}
	// Pre-creating the namespace in the database is the only way to have it
	// available as soon as the frontend is up. It is a no-op when the
	// namespace already exists (restart on an existing file).
	nsCfg, err := sqlite.NewNamespaceConfig(clusterName, cfg.Namespace, false, cfg.SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("embedded temporal: namespace config: %w", err)
	}
	if err := sqlite.CreateNamespaces(sqlCfg, nsCfg); err != nil {
		return nil, fmt.Errorf("embedded temporal: create namespace %q: %w", cfg.Namespace, err)
	}

	hostPort := net.JoinHostPort(dialHost(cfg.FrontendIP), strconv.Itoa(cfg.FrontendPort))
	srv, err := temporal.NewServer(
		temporal.WithConfig(serverConfig(cfg, sqlCfg, hostPort)),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithLogger(logger),
		temporal.WithNamespaceLogger(logger),
		temporal.WithAuthorizer(authorization.NewNoopAuthorizer()),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper {
			return authorization.NewNoopClaimMapper()
		}),
		temporal.WithDynamicConfigClient(dynamicConfig()),
	)
	if err != nil {
		return nil, fmt.Errorf("embedded temporal: new server: %w", err)
	}
	s := &Server{srv: srv, logger: logger, hostPort: hostPort, namespace: cfg.Namespace}
	if err := srv.Start(); err != nil {
		// fx has already rolled back whatever started; Stop would be a no-op.
		return nil, fmt.Errorf("embedded temporal: start: %w", err)
	}
	if err := s.awaitReady(ctx, cfg.SearchAttributes); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// HostPort is the frontend address clients should dial.
func (s *Server) HostPort() string { return s.hostPort }

// Namespace is the namespace created at start.
func (s *Server) Namespace() string { return s.namespace }

// Stop shuts all services down and frees their ports. It is safe to call more
// than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.logger.muted.Store(true)
		s.stopErr = s.srv.Stop()
	})
	return s.stopErr
}

func serverConfig(cfg Config, sqlCfg *config.SQL, hostPort string) *config.Config {
	// Only the frontend honours FrontendIP; the internal services are never
	// meant to be reached from outside the process.
	service := func(grpcPort int) config.Service {
		return config.Service{RPC: config.RPC{
			GRPCPort:        grpcPort,
			MembershipPort:  freeport.MustGetFreePort(),
			BindOnLocalHost: true,
		}}
	}
	frontend := service(cfg.FrontendPort)
	frontend.RPC.BindOnLocalHost = false
	frontend.RPC.BindOnIP = cfg.FrontendIP

	c := &config.Config{}
	// Metrics stay nil (no-op handler) and PProf.Port stays 0 (disabled): a
	// dev server or test must not grab fixed ports.
	c.Global.Membership = config.Membership{
		MaxJoinDuration:  30 * time.Second,
		BroadcastAddress: "127.0.0.1",
	}
	c.Persistence = config.Persistence{
		DefaultStore:     sqliteplugin.PluginName,
		VisibilityStore:  sqliteplugin.PluginName,
		NumHistoryShards: 1, // one node, one writer: more shards only add contention
		DataStores: map[string]config.DataStore{
			sqliteplugin.PluginName: {SQL: sqlCfg},
		},
	}
	c.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {Enabled: true, InitialFailoverVersion: 1, RPCAddress: hostPort},
		},
	}
	c.DCRedirectionPolicy = config.DCRedirectionPolicy{Policy: "noop"}
	c.Services = map[string]config.Service{
		"frontend": frontend,
		"history":  service(freeport.MustGetFreePort()),
		"matching": service(freeport.MustGetFreePort()),
		"worker":   service(freeport.MustGetFreePort()),
	}
	c.Archival = config.Archival{
		History:    config.HistoryArchival{State: "disabled"},
		Visibility: config.VisibilityArchival{State: "disabled"},
	}
	c.NamespaceDefaults = config.NamespaceDefaults{Archival: config.ArchivalNamespaceDefaults{
		History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
		Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
	}}
	// The worker service runs system workflows through an SDK client; without
	// this it panics at start.
	c.PublicClient = config.PublicClient{HostPort: hostPort}
	return c
}

// dynamicConfig holds the few overrides a single-node server needs. Updates
// and Update-With-Start (ExecuteMultiOperation) are on by default in v1.32,
// and the latter no longer has a flag at all.
func dynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		// Search attributes added at start must be visible immediately
		// instead of after the cache refresh interval.
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): true,
		// With one worker process, the default 4 partitions per task queue
		// only add forwarding hops and SQLite writes.
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
	}
}

// dialHost turns a wildcard bind address into one a client can dial.
func dialHost(ip string) string {
	if parsed := net.ParseIP(ip); parsed != nil && parsed.IsUnspecified() {
		return "127.0.0.1"
	}
	return ip
}
