package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"recours/internal/store"
)

// DefaultStartWait is how long serve and worker wait at start for their
// database and Temporal (RECOURS_START_WAIT): a rolling deploy or a
// reboot brings them up in any order.
const DefaultStartWait = 2 * time.Minute

// retry runs try until it succeeds, fails for good (transient reports
// false), ctx ends or wait has passed, with a backoff from one second
// doubling to ten, logging each failure with what is awaited.
func retry(ctx context.Context, what string, wait time.Duration, try func() (transient bool, err error)) error {
	deadline := time.Now().Add(wait)
	backoff := time.Second
	for {
		transient, err := try()
		if err == nil {
			return nil
		}
		if !transient {
			return err
		}
		if time.Now().Add(backoff).After(deadline) {
			return fmt.Errorf("%s: still failing after %s: %w", what, wait, err)
		}
		slog.Warn("waiting for "+what, "retry_in", backoff.String(), "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

// OpenStore opens the database at dsn and brings its schema up to date,
// waiting up to wait for it to answer. Several processes may do so at once
// (store.Migrate).
func OpenStore(ctx context.Context, dsn string, wait time.Duration) (*store.Store, error) {
	var st *store.Store
	err := retry(ctx, "the database at "+redactedDSN(dsn), wait, func() (bool, error) {
		s, err := store.Open(dsn)
		if err != nil {
			return store.Unavailable(err), err
		}
		if err := s.Migrate(ctx); err != nil {
			_ = s.Close()
			return store.Unavailable(err), err
		}
		st = s
		return false, nil
	})
	return st, err
}

// redactedDSN is dsn without its password, for the logs.
func redactedDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" || u.Scheme == "sqlite" {
		return dsn
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	u.RawQuery = ""
	return u.String()
}

// Dial connects to Temporal and checks that the namespace exists, waiting
// up to wait for both: a missing namespace is created by `recours temporal
// setup`, perhaps running beside this process.
func Dial(ctx context.Context, hostPort, namespace string, wait time.Duration) (client.Client, error) {
	opts := client.Options{HostPort: hostPort, Namespace: namespace, Logger: newTemporalLogger()}
	var c client.Client
	err := retry(ctx, "Temporal at "+hostPort, wait, func() (bool, error) {
		var err error
		if c == nil {
			if c, err = client.DialContext(ctx, opts); err != nil {
				c = nil
				return true, err
			}
		}
		_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
		var missing *serviceerror.NamespaceNotFound
		if errors.As(err, &missing) {
			return true, fmt.Errorf("namespace %q does not exist: create it with `recours temporal setup`", namespace)
		}
		return err != nil, err
	})
	if err != nil {
		if c != nil {
			c.Close()
		}
		return nil, err
	}
	return c, nil
}
