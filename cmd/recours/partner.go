package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"recours/internal/domain"
	"recours/internal/store"
)

// partnerCmd manages the partner organisations (Défenseur des droits
// delegations): their signing secret, shown once, and the hosts their
// callback URLs may name.
func partnerCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "partner", Short: "Manage partner organisations: signing secret and allowed callback hosts"}
	var c conn
	var code, name, hosts string
	withStore := func(f func(cmd *cobra.Command, st *store.Store) error) func(*cobra.Command, []string) error {
		return c.withStore(func(cmd *cobra.Command, st *store.Store) error {
			if err := st.Migrate(cmd.Context()); err != nil {
				return err
			}
			return f(cmd, st)
		})
	}
	parseHosts := func() ([]string, error) { return domain.ParseCallbackHosts(hosts) }
	// The secret alone on stdout, for a script to hand over; what it is
	// on stderr.
	printSecret := func(cmd *cobra.Command, secret, what string) {
		fmt.Fprintln(cmd.ErrOrStderr(), what)
		fmt.Fprintln(cmd.OutOrStdout(), secret)
	}
	create := &cobra.Command{Use: "create", Short: "Create a partner and print its signing secret (once)", RunE: withStore(func(cmd *cobra.Command, st *store.Store) error {
		list, err := parseHosts()
		if err != nil {
			return err
		}
		secret, err := store.NewPartnerSecret()
		if err != nil {
			return err
		}
		p, err := st.CreatePartner(cmd.Context(), code, name, secret, list)
		if err != nil {
			return err
		}
		printSecret(cmd, secret, fmt.Sprintf("partenaire créé : %s (hôtes de rappel : %s) ; son secret de signature, affiché une seule fois :",
			p.Code, hostsText(list)))
		return nil
	})}
	rotate := &cobra.Command{Use: "rotate-secret", Short: "Give a partner a new signing secret and print it (once)", RunE: withStore(func(cmd *cobra.Command, st *store.Store) error {
		secret, err := store.NewPartnerSecret()
		if err != nil {
			return err
		}
		if err := st.RotatePartnerSecret(cmd.Context(), code, secret); err != nil {
			return err
		}
		printSecret(cmd, secret, fmt.Sprintf("nouveau secret de signature de %s, affiché une seule fois ; les décisions envoyées désormais sont signées avec lui :", code))
		return nil
	})}
	setHosts := &cobra.Command{Use: "hosts", Short: "Replace the hosts a partner's callback URLs may name", RunE: withStore(func(cmd *cobra.Command, st *store.Store) error {
		list, err := parseHosts()
		if err != nil {
			return err
		}
		if err := st.SetPartnerCallbackHosts(cmd.Context(), code, list); err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "hôtes de rappel de %s : %s\n", code, hostsText(list))
		return nil
	})}
	list := &cobra.Command{Use: "list", Short: "List partners: code, name, callback hosts, creation (JSON; never the secret)", RunE: withStore(func(cmd *cobra.Command, st *store.Store) error {
		partners, err := st.Partners(cmd.Context())
		if err != nil {
			return err
		}
		b, _ := json.MarshalIndent(partners, "", "  ")
		fmt.Fprintln(cmd.OutOrStdout(), string(b))
		return nil
	})}
	for _, sub := range []*cobra.Command{create, rotate, setHosts, list} {
		c.databaseFlags(sub)
		cmd.AddCommand(sub)
	}
	const hostsHelp = "hosts the callback URLs may name, separated by commas: exact names, *.example.fr for any host under example.fr, or IP addresses"
	create.Flags().StringVar(&code, "code", "", "partner code, e.g. ddd-nord (required)")
	create.Flags().StringVar(&name, "name", "", "the organisation's name (required)")
	create.Flags().StringVar(&hosts, "callback-hosts", "", hostsHelp+" (none: no callback accepted)")
	_ = create.MarkFlagRequired("code")
	_ = create.MarkFlagRequired("name")
	rotate.Flags().StringVar(&code, "code", "", "partner code (required)")
	_ = rotate.MarkFlagRequired("code")
	setHosts.Flags().StringVar(&code, "code", "", "partner code (required)")
	setHosts.Flags().StringVar(&hosts, "set", "", hostsHelp+"; empty: no callback accepted (required)")
	_ = setHosts.MarkFlagRequired("code")
	_ = setHosts.MarkFlagRequired("set")
	return cmd
}

func hostsText(hosts []string) string {
	if len(hosts) == 0 {
		return "aucun"
	}
	return strings.Join(hosts, " ")
}
