package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"recours/internal/app"
)

func checkCmd() *cobra.Command {
	root := &cobra.Command{Use: "check", Short: "Checks an operator runs"}
	var c conn
	var repair, asJSON bool
	consistency := &cobra.Command{
		Use:   "consistency",
		Short: "Compare every open file's workflow with the database; --repair writes the workflow's state again",
		Long: `Compares every open file's workflow state (by query: the file and the seq
of its last event) with what the database holds: the file's row, its
version and its timeline. It checks the files whose workflow runs, and the
files the database holds as open. Each difference is printed; with
--repair the file's workflow writes its state to the database again (the
workflow is the file's truth), and the file is checked once more.
Exits 1 when a difference remains. The workers must be running.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			st, err := c.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			tc, err := c.dial(ctx)
			if err != nil {
				return err
			}
			defer tc.Close()
			rep, err := app.CheckConsistency(ctx, st, tc, c.namespace, repair)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				for _, d := range rep.Differences {
					state := "differs"
					if d.Repaired {
						state = "repaired"
					}
					fmt.Fprintf(out, "%s\t%s\t%s\n", d.CaseID, state, d.What)
				}
				fmt.Fprintf(out, "%d open files checked, %d differed\n", rep.Checked, len(rep.Differences))
			}
			if !rep.Clean() {
				return errors.New("the database and the workflows disagree")
			}
			return nil
		},
	}
	c.databaseFlags(consistency)
	c.temporalFlags(consistency)
	c.startFlags(consistency)
	consistency.Flags().BoolVar(&repair, "repair", false, "have each file that differs written again by its workflow")
	consistency.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	root.AddCommand(consistency)
	return root
}
