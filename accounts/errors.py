from config.errors import Conflict


class WorkspaceNotEmpty(Conflict):
    code = "workspace_not_empty"


class NameTaken(Conflict):
    code = "name_taken"
