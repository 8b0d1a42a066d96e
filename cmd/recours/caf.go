package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"recours/internal/calendar"
)

func cafCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "caf", Short: "Show or change a Caf's deadline policy"}
	var c conn
	var code, dayMode string
	policy := &cobra.Command{
		Use:   "policy",
		Short: "Print the Caf's deadline policy; with flags, change it for files opened from now on",
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := c.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			ctx := cmd.Context()
			org, err := st.Organisation(ctx, code)
			if err != nil {
				return err
			}
			p := org.Policy()
			f := cmd.Flags()
			changed := f.Changed("day-mode")
			if changed {
				p.DayMode = calendar.Mode(dayMode)
			}
			for name, v := range map[string]*int{"acknowledgment-days": &p.AcknowledgmentDays, "target-days": &p.TargetDays,
				"legal-days": &p.LegalDays, "reminder-days-before": &p.ReminderDaysBefore,
				"mediation-target-days": &p.MediationTargetDays, "mediation-legal-days": &p.MediationLegalDays,
				"opinion-days": &p.OpinionDays} {
				if f.Changed(name) {
					*v, _ = f.GetInt(name)
					changed = true
				}
			}
			if changed {
				if err := st.SetPolicy(ctx, code, p); err != nil {
					return err
				}
			}
			b, _ := json.MarshalIndent(p, "", "  ")
			fmt.Fprintln(cmd.OutOrStdout(), string(b))
			return nil
		},
	}
	c.databaseFlags(policy)
	policy.Flags().StringVar(&code, "caf", "", "the Caf's number, e.g. 071 (required)")
	policy.Flags().StringVar(&dayMode, "day-mode", "", "calendar, or working (Monday–Friday without French public holidays)")
	policy.Flags().Int("acknowledgment-days", 0, "acknowledgment deadline")
	policy.Flags().Int("target-days", 0, "answer target")
	policy.Flags().Int("legal-days", 0, "answer legal limit")
	policy.Flags().Int("reminder-days-before", 0, "reminder, days before the target")
	policy.Flags().Int("mediation-target-days", 0, "mediation decision target")
	policy.Flags().Int("mediation-legal-days", 0, "mediation decision legal limit")
	policy.Flags().Int("opinion-days", 0, "a service's time to give its opinion, by default")
	_ = policy.MarkFlagRequired("caf")
	cmd.AddCommand(policy)
	return cmd
}
