package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func auditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "The access trail"}
	var c conn
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check that no entry of the access trail was altered or removed",
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := c.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			n, broken, err := st.VerifyAccessTrail(cmd.Context())
			if err != nil {
				return err
			}
			if broken != 0 {
				return fmt.Errorf("trace des consultations altérée : l'entrée %d ne correspond pas à sa chaîne (%d entrées intègres avant elle)", broken, n)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "trace des consultations intègre : %d entrées\n", n)
			return nil
		},
	}
	c.databaseFlags(verify)
	cmd.AddCommand(verify)
	return cmd
}
