package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"recours/internal/app"
)

func temporalCmd() *cobra.Command {
	root := &cobra.Command{Use: "temporal", Short: "Temporal's side of a production install"}
	var c conn
	retention := app.DefaultRetention
	setup := &cobra.Command{
		Use:   "setup",
		Short: "Create Recours's namespace, or set its retention; serve and worker need it",
		Long: `Creates the namespace (TEMPORAL_NAMESPACE) on the Temporal cluster at
TEMPORAL_ADDRESS with the given retention (how long the history of a
completed workflow is kept), or sets the retention of the namespace there,
then waits until it takes work. Safe to run again, and from several places.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			did, err := app.SetupNamespace(cmd.Context(), c.temporalAddress, c.namespace, retention, c.startWait)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), did)
			return nil
		},
	}
	c.temporalFlags(setup)
	c.startFlags(setup)
	setup.Flags().DurationVar(&retention, "retention", retention, "how long Temporal keeps a completed workflow's history")
	root.AddCommand(setup)
	return root
}
