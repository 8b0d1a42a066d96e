package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

func tokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens"}
	var c conn
	var login, label string
	var ttl time.Duration
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a token for a user and print it alone on stdout (shown once)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := c.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Migrate(cmd.Context()); err != nil {
				return err
			}
			token, err := st.CreateToken(cmd.Context(), login, label, ttl)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), token)
			return nil
		},
	}
	c.databaseFlags(create)
	create.Flags().StringVar(&login, "user", "", "the user's login (required)")
	create.Flags().DurationVar(&ttl, "ttl", 24*time.Hour, "validity")
	create.Flags().StringVar(&label, "label", "cli", "what the token is for")
	_ = create.MarkFlagRequired("user")
	cmd.AddCommand(create)
	return cmd
}
