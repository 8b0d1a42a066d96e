package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"

	"recours/workflows"
)

// DefaultRetention is how long Temporal keeps the history of a file's
// workflow once it has completed (the file's projection and timeline stay
// in the database).
const DefaultRetention = 30 * 24 * time.Hour

// SetupNamespace creates the namespace with the retention, or sets the
// retention of the namespace there, and waits until the namespace takes
// work. It reports what it did, for the operator.
func SetupNamespace(ctx context.Context, hostPort, namespace string, retention time.Duration, wait time.Duration) (string, error) {
	var nc client.NamespaceClient
	err := retry(ctx, "Temporal at "+hostPort, wait, func() (bool, error) {
		var err error
		nc, err = client.NewNamespaceClient(client.Options{HostPort: hostPort, Logger: newTemporalLogger()})
		if err != nil {
			return true, err
		}
		_, err = nc.Describe(ctx, namespace)
		var missing *serviceerror.NamespaceNotFound
		if errors.As(err, &missing) {
			return false, nil
		}
		if err != nil {
			nc.Close()
		}
		return err != nil, err
	})
	if err != nil {
		return "", err
	}
	defer nc.Close()
	did, err := ensureNamespace(ctx, nc, namespace, retention)
	if err != nil {
		return "", err
	}
	// A new namespace reaches every frontend's cache within seconds.
	err = retry(ctx, "namespace "+namespace, wait, func() (bool, error) {
		c, err := client.DialContext(ctx, client.Options{HostPort: hostPort, Namespace: namespace, Logger: newTemporalLogger()})
		if err != nil {
			return true, err
		}
		defer c.Close()
		_, err = c.DescribeTaskQueue(ctx, workflows.TaskQueue, enumspb.TASK_QUEUE_TYPE_WORKFLOW)
		return err != nil, err
	})
	return did, err
}

func ensureNamespace(ctx context.Context, nc client.NamespaceClient, namespace string, retention time.Duration) (string, error) {
	desc, err := nc.Describe(ctx, namespace)
	var missing *serviceerror.NamespaceNotFound
	if errors.As(err, &missing) {
		err = nc.Register(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace:                        namespace,
			Description:                      "Recours: complaints, mediations and referrals of the Caf",
			WorkflowExecutionRetentionPeriod: durationpb.New(retention),
		})
		var exists *serviceerror.NamespaceAlreadyExists
		if errors.As(err, &exists) {
			return fmt.Sprintf("namespace %s created meanwhile by another process", namespace), nil
		}
		if err != nil {
			return "", fmt.Errorf("create namespace %s: %w", namespace, err)
		}
		return fmt.Sprintf("namespace %s created, histories kept %s after completion", namespace, retention), nil
	}
	if err != nil {
		return "", fmt.Errorf("namespace %s: %w", namespace, err)
	}
	if desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() == retention {
		return fmt.Sprintf("namespace %s already set up (retention %s)", namespace, retention), nil
	}
	err = nc.Update(ctx, &workflowservice.UpdateNamespaceRequest{
		Namespace: namespace,
		Config:    &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(retention)},
	})
	if err != nil {
		return "", fmt.Errorf("set the retention of namespace %s: %w", namespace, err)
	}
	return fmt.Sprintf("namespace %s: retention set to %s", namespace, retention), nil
}
