"""The core every app stands on: users and their roles, who may see and change what
(`osp.access`), the fiscal calendar, the base classes of synced records, the API base,
shared forms, widgets and pagination. It imports no app."""
