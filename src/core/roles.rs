//! Staff roles, departments and what each role may do (DESIGN §1). The server enforces these;
//! the browser only uses them to hide buttons a user could not use anyway.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Relationship manager: edits the clients and deals they own.
    Rm,
    /// Keeps data quality, runs surveys and review meetings; edits everything.
    CrmOfficer,
    /// Reads and exports.
    Analyst,
    /// Reads only.
    Viewer,
    /// Users, roles, departments and settings; edits everything.
    Admin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Department {
    Marketing,
    Operations,
    Finance,
    Management,
}

/// Something a staff member may or may not do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Add, edit and deactivate staff.
    ManageUsers,
    /// Change records they own or that are assigned to them.
    EditOwnRecords,
    /// Change any record, whoever owns it.
    EditAllRecords,
    /// Download lists and reports.
    Export,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Rm,
        Role::CrmOfficer,
        Role::Analyst,
        Role::Viewer,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Rm => "rm",
            Role::CrmOfficer => "crm_officer",
            Role::Analyst => "analyst",
            Role::Viewer => "viewer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == code)
    }

    /// Translation key of the role's name.
    pub fn i18n_key(self) -> String {
        format!("role.{}", self.as_str())
    }

    pub fn can(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::CrmOfficer => matches!(permission, EditOwnRecords | EditAllRecords | Export),
            Role::Rm => matches!(permission, EditOwnRecords),
            Role::Analyst => matches!(permission, Export),
            Role::Viewer => false,
        }
    }
}

impl Department {
    pub const ALL: [Department; 4] = [
        Department::Marketing,
        Department::Operations,
        Department::Finance,
        Department::Management,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Department::Marketing => "marketing",
            Department::Operations => "operations",
            Department::Finance => "finance",
            Department::Management => "management",
        }
    }

    pub fn parse(code: &str) -> Option<Department> {
        Department::ALL.into_iter().find(|d| d.as_str() == code)
    }

    pub fn i18n_key(self) -> String {
        format!("department.{}", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_viewer_changes_nothing() {
        for p in [
            Permission::ManageUsers,
            Permission::EditOwnRecords,
            Permission::EditAllRecords,
            Permission::Export,
        ] {
            assert!(!Role::Viewer.can(p), "{p:?}");
        }
    }

    #[test]
    fn only_admins_manage_users() {
        let managers: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| r.can(Permission::ManageUsers))
            .collect();
        assert_eq!(managers, vec![Role::Admin]);
    }

    #[test]
    fn rms_edit_their_own_records_only_and_analysts_export() {
        assert!(Role::Rm.can(Permission::EditOwnRecords));
        assert!(!Role::Rm.can(Permission::EditAllRecords));
        assert!(Role::CrmOfficer.can(Permission::EditAllRecords));
        assert!(Role::Analyst.can(Permission::Export));
        assert!(!Role::Analyst.can(Permission::EditOwnRecords));
    }

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        for d in Department::ALL {
            assert_eq!(Department::parse(d.as_str()), Some(d));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
