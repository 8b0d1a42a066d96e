package store

import (
	"context"

	"recours/internal/domain"
)

// DemoCafs are the Cafs the embedded default starts with.
var DemoCafs = map[string]string{
	"071": "Caf de l'Ardèche",
	"074": "Caf de la Haute-Savoie",
	"042": "Caf de la Loire",
	"043": "Caf de la Haute-Loire",
}

// DemoUser is a seeded agent: one per role, in Caf 071 unless said.
type DemoUser struct {
	Login string
	Name  string
	Role  domain.Role
	Cafs  []string
}

// DemoUsers are the users of the contract's "Demo users" section.
var DemoUsers = []DemoUser{
	{"csu.demo", "Camille Sauvage (CSU, plateforme régionale)", domain.RoleCSU, []string{"071", "074", "042", "043"}},
	{"gca.demo", "Gaëlle Caron (GCA)", domain.RoleGCA, []string{"071"}},
	{"manager.demo", "Marc Andrieu (responsable)", domain.RoleManager, []string{"071"}},
	{"mediator.demo", "Mireille Durand (médiatrice)", domain.RoleMediator, []string{"071"}},
	{"ddd.demo", "Délégué du Défenseur des droits", domain.RoleDDDLiaison, []string{"071"}},
	{"auditor.demo", "Aurélien Dupuis (auditeur)", domain.RoleAuditor, []string{"071"}},
	{"admin.demo", "Adèle Martin (administratrice)", domain.RoleAdmin, []string{"071"}},
}

// SeedDemo creates the demo Cafs and users; running it again changes nothing.
func (s *Store) SeedDemo(ctx context.Context) error {
	for code, name := range DemoCafs {
		if err := s.UpsertOrganisation(ctx, code, name); err != nil {
			return err
		}
	}
	for _, u := range DemoUsers {
		for _, caf := range u.Cafs {
			if err := s.Grant(ctx, u.Login, u.Name, caf, u.Role); err != nil {
				return err
			}
		}
	}
	// The demo liaison's delegation, and the secret that signs the
	// decisions pushed to it: for the embedded default only.
	if err := s.UpsertPartner(ctx, DemoPartner, "Défenseur des droits (démonstration)", DemoPartnerSecret); err != nil {
		return err
	}
	return s.SetPartner(ctx, "ddd.demo", DemoPartner)
}

// The demo partner of the embedded default.
const (
	DemoPartner       = "ddd-demo"
	DemoPartnerSecret = "demo-secret-not-for-production"
)
