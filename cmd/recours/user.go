package main

import (
	"encoding/json"
	"fmt"
	"os/user"

	"github.com/spf13/cobra"

	"recours/internal/domain"
	"recours/internal/store"
)

// cliActor names who changed roles from the command line, for the trail.
func cliActor() string {
	if u, err := user.Current(); err == nil {
		return "cli:" + u.Username
	}
	return "cli"
}

func userCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage users, their emails and their roles per Caf (every change of role is in the trail of grants)"}
	var c conn
	var login, name, email, partner, caf, role string
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
	create := &cobra.Command{Use: "create", Short: "Create a user", RunE: withStore(func(cmd *cobra.Command, st *store.Store) error {
		u, err := st.CreateUser(cmd.Context(), login, name, email, partner)
		if err == nil {
			fmt.Fprintf(cmd.OutOrStdout(), "utilisateur créé : %s\n", u.Login)
		}
		return err
	})}
	// set-email is the operators' only: a change of email moves who signs
	// in as the account, which no Caf's administrator may decide alone.
	setEmail := &cobra.Command{Use: "set-email", Short: "Set (or, with --email \"\", remove) the work email a user signs in with",
		RunE: withStore(func(cmd *cobra.Command, st *store.Store) error {
			u, err := st.SetUserEmail(cmd.Context(), login, email)
			if err == nil && u.Email == "" {
				fmt.Fprintf(cmd.OutOrStdout(), "%s n'a plus d'adresse électronique\n", u.Login)
			} else if err == nil {
				fmt.Fprintf(cmd.OutOrStdout(), "adresse électronique de %s : %s\n", u.Login, u.Email)
			}
			return err
		})}
	// --caf all grants (or revokes) the role in every Caf: a national
	// administrator, a national auditor.
	cafsOf := func(cmd *cobra.Command, st *store.Store) ([]string, error) {
		if caf != "all" {
			return []string{caf}, nil
		}
		return st.OrganisationCodes(cmd.Context())
	}
	grant := &cobra.Command{Use: "grant", Short: "Grant a role in a Caf (--caf all: in every Caf)", RunE: withStore(func(cmd *cobra.Command, st *store.Store) error {
		cafs, err := cafsOf(cmd, st)
		for _, caf := range cafs {
			if err != nil {
				break
			}
			var created bool
			if created, err = st.GrantRole(cmd.Context(), cliActor(), login, caf, domain.Role(role)); err == nil {
				if created {
					fmt.Fprintf(cmd.OutOrStdout(), "rôle %s donné à %s dans la Caf %s\n", role, login, caf)
				} else {
					fmt.Fprintf(cmd.OutOrStdout(), "%s détenait déjà le rôle %s dans la Caf %s\n", login, role, caf)
				}
			}
		}
		return err
	})}
	revoke := &cobra.Command{Use: "revoke", Short: "Revoke a role in a Caf (--caf all: in every Caf)", RunE: withStore(func(cmd *cobra.Command, st *store.Store) error {
		cafs, err := cafsOf(cmd, st)
		for _, caf := range cafs {
			if err != nil {
				break
			}
			if err = st.RevokeRole(cmd.Context(), cliActor(), login, caf, domain.Role(role)); err == nil {
				fmt.Fprintf(cmd.OutOrStdout(), "rôle %s retiré à %s dans la Caf %s\n", role, login, caf)
			}
		}
		return err
	})}
	list := &cobra.Command{Use: "list", Short: "List users and their roles (JSON)", RunE: withStore(func(cmd *cobra.Command, st *store.Store) error {
		cafs := []string{caf}
		if caf == "" {
			all, err := st.OrganisationCodes(cmd.Context())
			if err != nil {
				return err
			}
			cafs = all
		}
		users, err := st.Users(cmd.Context(), cafs)
		if err != nil {
			return err
		}
		b, _ := json.MarshalIndent(users, "", "  ")
		fmt.Fprintln(cmd.OutOrStdout(), string(b))
		return nil
	})}
	for _, sub := range []*cobra.Command{create, setEmail, grant, revoke, list} {
		c.databaseFlags(sub)
		cmd.AddCommand(sub)
	}
	create.Flags().StringVar(&login, "login", "", "login (required)")
	create.Flags().StringVar(&name, "name", "", "full name (required)")
	create.Flags().StringVar(&email, "email", "", "work email, one per account (agents are matched on it when signing in, without regard to case)")
	create.Flags().StringVar(&partner, "partner", "", "partner organisation, for a partner's account")
	for _, sub := range []*cobra.Command{grant, revoke} {
		sub.Flags().StringVar(&login, "login", "", "login (required)")
		sub.Flags().StringVar(&caf, "caf", "", "Caf number, or all for every Caf (required)")
		sub.Flags().StringVar(&role, "role", "", "csu, gca, manager, mediator, ddd_liaison, auditor or admin (required)")
		for _, f := range []string{"login", "caf", "role"} {
			_ = sub.MarkFlagRequired(f)
		}
	}
	setEmail.Flags().StringVar(&login, "login", "", "login (required)")
	setEmail.Flags().StringVar(&email, "email", "", "work email, one per account; empty to remove it (required)")
	_ = setEmail.MarkFlagRequired("login")
	_ = setEmail.MarkFlagRequired("email")
	_ = create.MarkFlagRequired("login")
	_ = create.MarkFlagRequired("name")
	list.Flags().StringVar(&caf, "caf", "", "only this Caf")
	return cmd
}
