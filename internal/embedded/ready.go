package embedded

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/server/api/adminservice/v1"
	"go.temporal.io/server/temporal"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// awaitReady polls until the frontend serves the namespace and sees every
// service in its membership rings, then registers any search attribute an
// existing database does not know yet. The frontend answers namespace calls
// from persistence alone, so without the ring check Start could return while
// history and matching are still joining ("Not enough hosts to serve the
// request" for the caller's first workflow).
func (s *Server) awaitReady(ctx context.Context, attrs map[string]enumspb.IndexedValueType) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	conn, err := grpc.NewClient(s.hostPort, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("embedded temporal: dial frontend: %w", err)
	}
	defer conn.Close()
	for {
		err = probe(ctx, conn, s.namespace)
		if err == nil {
			return ensureSearchAttributes(ctx, operatorservice.NewOperatorServiceClient(conn), s.namespace, attrs)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("embedded temporal: frontend %s not ready: %w (last error: %v)", s.hostPort, ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func probe(ctx context.Context, conn *grpc.ClientConn, namespace string) error {
	cluster, err := adminservice.NewAdminServiceClient(conn).DescribeCluster(ctx, &adminservice.DescribeClusterRequest{})
	if err != nil {
		return err
	}
	members := map[string]int32{}
	for _, ring := range cluster.GetMembershipInfo().GetRings() {
		members[ring.GetRole()] = ring.GetMemberCount()
	}
	for _, role := range temporal.DefaultServices {
		if members[role] == 0 {
			return fmt.Errorf("no %s host in the membership ring yet", role)
		}
	}
	_, err = workflowservice.NewWorkflowServiceClient(conn).DescribeNamespace(ctx,
		&workflowservice.DescribeNamespaceRequest{Namespace: namespace})
	return err
}

// ensureSearchAttributes adds the attributes missing from the namespace.
// Pre-creation only registers them when the namespace is new, so without this
// an attribute introduced after the database file was created would never
// exist.
func ensureSearchAttributes(ctx context.Context, ops operatorservice.OperatorServiceClient, namespace string, want map[string]enumspb.IndexedValueType) error {
	if len(want) == 0 {
		return nil
	}
	resp, err := ops.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("embedded temporal: list search attributes: %w", err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, typ := range want {
		got, ok := resp.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = typ
		case got != typ:
			return fmt.Errorf("embedded temporal: search attribute %q is %v in the database, want %v (types cannot change; delete the database file)", name, got, typ)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = ops.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        namespace,
		SearchAttributes: missing,
	})
	if err != nil {
		return fmt.Errorf("embedded temporal: add search attributes: %w", err)
	}
	return nil
}
