// Command recours is the one binary of Recours: the embedded default
// (recours dev), the API (serve) and the worker (worker) for production,
// the schema (migrate) and API tokens (token create).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := rootCmd().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "recours:", err)
		os.Exit(1)
	}
}

func rootCmd() *cobra.Command {
	var level, format string
	root := &cobra.Command{
		Use:           "recours",
		Short:         "Recours: complaints, mediation and Défenseur des droits referrals of the Caf",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return setupLogging(level, format)
		},
	}
	root.PersistentFlags().StringVar(&level, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (LOG_LEVEL)")
	root.PersistentFlags().StringVar(&format, "log-format", env("LOG_FORMAT", "text"), "text or json (LOG_FORMAT)")
	root.AddCommand(devCmd(), serveCmd(), workerCmd(), migrateCmd(), tokenCmd(), cafCmd(), auditCmd(), userCmd(), partnerCmd(), importCmd(), temporalCmd(), checkCmd())
	return root
}

// setupLogging sends structured logs to stderr. Nothing logs a file's
// content or a token: only ids, routes and statuses.
func setupLogging(level, format string) error {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler = slog.NewTextHandler(os.Stderr, opts)
	if format == "json" {
		h = slog.NewJSONHandler(os.Stderr, opts)
	}
	slog.SetDefault(slog.New(h))
	return nil
}

// env returns the variable's value, or def: flags default to the
// environment, so a flag overrides the environment.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}
