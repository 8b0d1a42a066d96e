package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"recours/internal/store"
)

func tokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens (created for a user, with its roles, until they expire or are revoked)"}
	var c conn
	var login, label string
	var ttl time.Duration
	var id uint
	withStore := func(f func(cmd *cobra.Command, st *store.Store) error) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, _ []string) error {
			st, err := c.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Migrate(cmd.Context()); err != nil {
				return err
			}
			return f(cmd, st)
		}
	}
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a token for a user and print it alone on stdout (shown once: only its hash is kept)",
		RunE: withStore(func(cmd *cobra.Command, st *store.Store) error {
			_, token, err := st.IssueToken(cmd.Context(), store.ConsoleActor, login, label, ttl)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), token)
			return nil
		}),
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the tokens, of one user or all, without their secrets (JSON)",
		RunE: withStore(func(cmd *cobra.Command, st *store.Store) error {
			if login != "" {
				if _, err := st.UserByLogin(cmd.Context(), login); err != nil {
					return err
				}
			}
			tokens, err := st.Tokens(cmd.Context(), store.TokenFilter{Login: login})
			if err != nil {
				return err
			}
			b, _ := json.MarshalIndent(tokens, "", "  ")
			fmt.Fprintln(cmd.OutOrStdout(), string(b))
			return nil
		}),
	}
	revoke := &cobra.Command{
		Use:   "revoke",
		Short: "Revoke a token: it authenticates no more",
		RunE: withStore(func(cmd *cobra.Command, st *store.Store) error {
			info, err := st.RevokeToken(cmd.Context(), store.ConsoleActor, id, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "jeton %d de %s révoqué\n", info.ID, info.Login)
			return nil
		}),
	}
	for _, sub := range []*cobra.Command{create, list, revoke} {
		c.databaseFlags(sub)
		cmd.AddCommand(sub)
	}
	create.Flags().StringVar(&login, "user", "", "the user's login (required)")
	create.Flags().DurationVar(&ttl, "ttl", 24*time.Hour, "validity (8760h at most)")
	create.Flags().StringVar(&label, "label", "cli", "what the token is for")
	_ = create.MarkFlagRequired("user")
	list.Flags().StringVar(&login, "user", "", "only this user's tokens")
	revoke.Flags().UintVar(&id, "id", 0, "the token's id, as token list shows it (required)")
	_ = revoke.MarkFlagRequired("id")
	return cmd
}
