"""HTTP endpoints of the master data: read by every logged-in role, changed by admins and
managers."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from server.dependencies import ActorDep
from server.masterdata import schemas
from server.masterdata.services import (
    AssetService,
    CustomerGroupService,
    CustomerService,
    DepartmentService,
    ServiceItemService,
    SiteService,
    SkillService,
    TeamService,
)
from server.openapi import SECURITY, errors

# Litestar validates query parameters against the constraints of their QueryParameter
# only: a msgspec Meta inside the annotation (server.types.PageLimit) is dropped.
PageLimitQuery = Annotated[int, QueryParameter(ge=1, le=200, description="rows per page")]
SearchQuery = Annotated[
    str | None, QueryParameter(max_length=100, description="case-insensitive substring")
]


def provide_department_service(actor: ActorDep) -> DepartmentService:
    return DepartmentService(actor)


def provide_team_service(actor: ActorDep) -> TeamService:
    return TeamService(actor)


def provide_skill_service(actor: ActorDep) -> SkillService:
    return SkillService(actor)


def provide_customer_group_service(actor: ActorDep) -> CustomerGroupService:
    return CustomerGroupService(actor)


def provide_customer_service(actor: ActorDep) -> CustomerService:
    return CustomerService(actor)


def provide_site_service(actor: ActorDep) -> SiteService:
    return SiteService(actor)


def provide_asset_service(actor: ActorDep) -> AssetService:
    return AssetService(actor)


def provide_service_item_service(actor: ActorDep) -> ServiceItemService:
    return ServiceItemService(actor)


DepartmentServiceDep = NamedDependency[DepartmentService]
TeamServiceDep = NamedDependency[TeamService]
SkillServiceDep = NamedDependency[SkillService]
CustomerGroupServiceDep = NamedDependency[CustomerGroupService]
CustomerServiceDep = NamedDependency[CustomerService]
SiteServiceDep = NamedDependency[SiteService]
AssetServiceDep = NamedDependency[AssetService]
ServiceItemServiceDep = NamedDependency[ServiceItemService]


class DepartmentController(Controller):
    path = "/api/departments"
    tags = ["departments"]
    security = SECURITY
    dependencies = {"service": Provide(provide_department_service, sync_to_thread=False)}

    @get("/", operation_id="ListDepartments", responses=errors(401))
    async def list_departments(self, service: DepartmentServiceDep) -> schemas.DepartmentPage:
        """All departments, by name."""
        return schemas.DepartmentPage(items=await service.list())

    @get("/{department_id:uuid}", operation_id="GetDepartment", responses=errors(400, 401, 404))
    async def get_department(
        self, department_id: FromPath[UUID], service: DepartmentServiceDep
    ) -> schemas.Department:
        """One department."""
        return await service.get(department_id)

    @post("/", operation_id="CreateDepartment", responses=errors(400, 401, 403, 409))
    async def create_department(
        self, data: JSONBody[schemas.DepartmentCreate], service: DepartmentServiceDep
    ) -> schemas.Department:
        """Create a department (admins and managers); names are unique."""
        return await service.create(data)

    @patch(
        "/{department_id:uuid}",
        operation_id="UpdateDepartment",
        responses=errors(400, 401, 403, 404, 409),
    )
    async def update_department(
        self,
        department_id: FromPath[UUID],
        data: JSONBody[schemas.DepartmentUpdate],
        service: DepartmentServiceDep,
    ) -> schemas.Department:
        """Rename a department (admins, and the managers who manage it)."""
        return await service.update(department_id, data)

    @delete(
        "/{department_id:uuid}",
        operation_id="DeleteDepartment",
        responses=errors(400, 401, 403, 404, 409),
    )
    async def delete_department(
        self, department_id: FromPath[UUID], service: DepartmentServiceDep
    ) -> None:
        """Delete a department nothing belongs to (admins, and the managers who manage it);
        409 `in_use` otherwise."""
        await service.delete(department_id)


class TeamController(Controller):
    path = "/api/teams"
    tags = ["teams"]
    security = SECURITY
    dependencies = {"service": Provide(provide_team_service, sync_to_thread=False)}

    @get("/", operation_id="ListTeams", responses=errors(400, 401))
    async def list_teams(
        self, service: TeamServiceDep, department_id: FromQuery[UUID | None] = None
    ) -> schemas.TeamPage:
        """All teams by name, optionally of one department."""
        return schemas.TeamPage(items=await service.list(department_id))

    @get("/{team_id:uuid}", operation_id="GetTeam", responses=errors(400, 401, 404))
    async def get_team(self, team_id: FromPath[UUID], service: TeamServiceDep) -> schemas.Team:
        """One team."""
        return await service.get(team_id)

    @post("/", operation_id="CreateTeam", responses=errors(400, 401, 403, 409, 422))
    async def create_team(
        self, data: JSONBody[schemas.TeamCreate], service: TeamServiceDep
    ) -> schemas.Team:
        """Create a team (admins; managers in a department they manage); names are unique."""
        return await service.create(data)

    @patch(
        "/{team_id:uuid}", operation_id="UpdateTeam", responses=errors(400, 401, 403, 404, 409, 422)
    )
    async def update_team(
        self, team_id: FromPath[UUID], data: JSONBody[schemas.TeamUpdate], service: TeamServiceDep
    ) -> schemas.Team:
        """Rename a team or move it to another department (admins; managers between
        departments they manage)."""
        return await service.update(team_id, data)

    @delete("/{team_id:uuid}", operation_id="DeleteTeam", responses=errors(400, 401, 403, 404, 409))
    async def delete_team(self, team_id: FromPath[UUID], service: TeamServiceDep) -> None:
        """Delete a team no user or order belongs to (admins; managers in a department they
        manage)."""
        await service.delete(team_id)


class SkillController(Controller):
    path = "/api/skills"
    tags = ["skills"]
    security = SECURITY
    dependencies = {"service": Provide(provide_skill_service, sync_to_thread=False)}

    @get("/", operation_id="ListSkills", responses=errors(401))
    async def list_skills(self, service: SkillServiceDep) -> schemas.SkillPage:
        """All skills, by name."""
        return schemas.SkillPage(items=await service.list())

    @get("/{skill_code:str}", operation_id="GetSkill", responses=errors(400, 401, 404))
    async def get_skill(self, skill_code: FromPath[str], service: SkillServiceDep) -> schemas.Skill:
        """One skill, by its code."""
        return await service.get(skill_code)

    @post("/", operation_id="CreateSkill", responses=errors(400, 401, 403, 409))
    async def create_skill(
        self, data: JSONBody[schemas.SkillCreate], service: SkillServiceDep
    ) -> schemas.Skill:
        """Create a skill (admins and managers); the code is its permanent key."""
        return await service.create(data)

    @patch("/{skill_code:str}", operation_id="UpdateSkill", responses=errors(400, 401, 403, 404))
    async def update_skill(
        self,
        skill_code: FromPath[str],
        data: JSONBody[schemas.SkillUpdate],
        service: SkillServiceDep,
    ) -> schemas.Skill:
        """Rename a skill (admins and managers); its code cannot change."""
        return await service.update(skill_code, data)

    @delete(
        "/{skill_code:str}", operation_id="DeleteSkill", responses=errors(400, 401, 403, 404, 409)
    )
    async def delete_skill(self, skill_code: FromPath[str], service: SkillServiceDep) -> None:
        """Delete a skill no user has and no service item requires (admins and managers)."""
        await service.delete(skill_code)


class CustomerGroupController(Controller):
    path = "/api/customer-groups"
    tags = ["customer groups"]
    security = SECURITY
    dependencies = {"service": Provide(provide_customer_group_service, sync_to_thread=False)}

    @get("/", operation_id="ListCustomerGroups", responses=errors(401))
    async def list_customer_groups(
        self, service: CustomerGroupServiceDep
    ) -> schemas.CustomerGroupPage:
        """All customer groups, by name."""
        return schemas.CustomerGroupPage(items=await service.list())

    @get("/{group_id:uuid}", operation_id="GetCustomerGroup", responses=errors(400, 401, 404))
    async def get_customer_group(
        self, group_id: FromPath[UUID], service: CustomerGroupServiceDep
    ) -> schemas.CustomerGroup:
        """One customer group."""
        return await service.get(group_id)

    @post("/", operation_id="CreateCustomerGroup", responses=errors(400, 401, 403, 409))
    async def create_customer_group(
        self, data: JSONBody[schemas.CustomerGroupCreate], service: CustomerGroupServiceDep
    ) -> schemas.CustomerGroup:
        """Create a customer group (admins and managers); names are unique."""
        return await service.create(data)

    @patch(
        "/{group_id:uuid}",
        operation_id="UpdateCustomerGroup",
        responses=errors(400, 401, 403, 404, 409),
    )
    async def update_customer_group(
        self,
        group_id: FromPath[UUID],
        data: JSONBody[schemas.CustomerGroupUpdate],
        service: CustomerGroupServiceDep,
    ) -> schemas.CustomerGroup:
        """Rename a customer group (admins and managers)."""
        return await service.update(group_id, data)

    @delete(
        "/{group_id:uuid}",
        operation_id="DeleteCustomerGroup",
        responses=errors(400, 401, 403, 404, 409),
    )
    async def delete_customer_group(
        self, group_id: FromPath[UUID], service: CustomerGroupServiceDep
    ) -> None:
        """Delete a customer group without customers (admins and managers)."""
        await service.delete(group_id)


class CustomerController(Controller):
    path = "/api/customers"
    tags = ["customers"]
    security = SECURITY
    dependencies = {"service": Provide(provide_customer_service, sync_to_thread=False)}

    @get("/", operation_id="ListCustomers", responses=errors(400, 401))
    async def list_customers(
        self,
        service: CustomerServiceDep,
        group_id: FromQuery[UUID | None] = None,
        q: SearchQuery = None,
    ) -> schemas.CustomerPage:
        """All customers by name, optionally of one group or matching `q` (name or email)."""
        return schemas.CustomerPage(items=await service.list(group_id, q))

    @get("/{customer_id:uuid}", operation_id="GetCustomer", responses=errors(400, 401, 404))
    async def get_customer(
        self, customer_id: FromPath[UUID], service: CustomerServiceDep
    ) -> schemas.Customer:
        """One customer."""
        return await service.get(customer_id)

    @post("/", operation_id="CreateCustomer", responses=errors(400, 401, 403, 409, 422))
    async def create_customer(
        self, data: JSONBody[schemas.CustomerCreate], service: CustomerServiceDep
    ) -> schemas.Customer:
        """Create a customer (admins and managers); names are unique."""
        return await service.create(data)

    @patch(
        "/{customer_id:uuid}",
        operation_id="UpdateCustomer",
        responses=errors(400, 401, 403, 404, 409, 422),
    )
    async def update_customer(
        self,
        customer_id: FromPath[UUID],
        data: JSONBody[schemas.CustomerUpdate],
        service: CustomerServiceDep,
    ) -> schemas.Customer:
        """Change a customer (admins and managers)."""
        return await service.update(customer_id, data)

    @delete(
        "/{customer_id:uuid}",
        operation_id="DeleteCustomer",
        responses=errors(400, 401, 403, 404, 409),
    )
    async def delete_customer(
        self, customer_id: FromPath[UUID], service: CustomerServiceDep
    ) -> None:
        """Delete a customer without sites or orders (admins and managers)."""
        await service.delete(customer_id)


class SiteController(Controller):
    path = "/api/sites"
    tags = ["sites"]
    security = SECURITY
    dependencies = {"service": Provide(provide_site_service, sync_to_thread=False)}

    @get("/", operation_id="ListSites", responses=errors(400, 401))
    async def list_sites(
        self,
        service: SiteServiceDep,
        customer_id: FromQuery[UUID | None] = None,
        q: SearchQuery = None,
    ) -> schemas.SitePage:
        """All sites by name, optionally of one customer or matching `q` (name or address)."""
        return schemas.SitePage(items=await service.list(customer_id, q))

    @get("/{site_id:uuid}", operation_id="GetSite", responses=errors(400, 401, 404))
    async def get_site(self, site_id: FromPath[UUID], service: SiteServiceDep) -> schemas.Site:
        """One site with its geofence."""
        return await service.get(site_id)

    @post("/", operation_id="CreateSite", responses=errors(400, 401, 403, 422))
    async def create_site(
        self, data: JSONBody[schemas.SiteCreate], service: SiteServiceDep
    ) -> schemas.Site:
        """Create a site (admins and managers); the geofence radius defaults to 100 m."""
        return await service.create(data)

    @patch("/{site_id:uuid}", operation_id="UpdateSite", responses=errors(400, 401, 403, 404, 422))
    async def update_site(
        self, site_id: FromPath[UUID], data: JSONBody[schemas.SiteUpdate], service: SiteServiceDep
    ) -> schemas.Site:
        """Change a site (admins and managers)."""
        return await service.update(site_id, data)

    @delete("/{site_id:uuid}", operation_id="DeleteSite", responses=errors(400, 401, 403, 404, 409))
    async def delete_site(self, site_id: FromPath[UUID], service: SiteServiceDep) -> None:
        """Delete a site without assets or orders (admins and managers)."""
        await service.delete(site_id)


class AssetController(Controller):
    path = "/api/assets"
    tags = ["assets"]
    security = SECURITY
    dependencies = {"service": Provide(provide_asset_service, sync_to_thread=False)}

    @get("/", operation_id="ListAssets", responses=errors(400, 401, 422))
    async def list_assets(
        self,
        service: AssetServiceDep,
        site_id: FromQuery[UUID | None] = None,
        asset_type: FromQuery[str | None] = None,
        q: SearchQuery = None,
        limit: PageLimitQuery = 50,
        cursor: FromQuery[str | None] = None,
    ) -> schemas.AssetPage:
        """One page of assets in tag order.

        Filter by site, by type, or by `q` (a substring of the name or tag). Pass the
        answer's `next_cursor` as `cursor` for the next page; it is null on the last.
        """
        return await service.list(
            site_id=site_id, asset_type=asset_type, q=q, limit=limit, cursor=cursor
        )

    @get("/{asset_id:uuid}", operation_id="GetAsset", responses=errors(400, 401, 404))
    async def get_asset(self, asset_id: FromPath[UUID], service: AssetServiceDep) -> schemas.Asset:
        """One asset."""
        return await service.get(asset_id)

    @get("/by-tag/{tag:str}", operation_id="GetAssetByTag", responses=errors(400, 401, 404))
    async def get_asset_by_tag(self, tag: FromPath[str], service: AssetServiceDep) -> schemas.Asset:
        """The asset a label names; the tag is matched case-insensitively."""
        return await service.get_by_tag(tag)

    @post("/", operation_id="CreateAsset", responses=errors(400, 401, 403, 409, 422))
    async def create_asset(
        self, data: JSONBody[schemas.AssetCreate], service: AssetServiceDep
    ) -> schemas.Asset:
        """Create an asset (admins and managers).

        The tag is stored upper-cased without surrounding whitespace and is unique
        (409 `tag_taken`); the warranty cannot end before the installation date.
        """
        return await service.create(data)

    @patch(
        "/{asset_id:uuid}",
        operation_id="UpdateAsset",
        responses=errors(400, 401, 403, 404, 409, 422),
    )
    async def update_asset(
        self,
        asset_id: FromPath[UUID],
        data: JSONBody[schemas.AssetUpdate],
        service: AssetServiceDep,
    ) -> schemas.Asset:
        """Change an asset (admins and managers); the same rules as on creation."""
        return await service.update(asset_id, data)

    @delete(
        "/{asset_id:uuid}", operation_id="DeleteAsset", responses=errors(400, 401, 403, 404, 409)
    )
    async def delete_asset(self, asset_id: FromPath[UUID], service: AssetServiceDep) -> None:
        """Delete an asset no order names (admins and managers)."""
        await service.delete(asset_id)


class ServiceItemController(Controller):
    path = "/api/service-items"
    tags = ["service items"]
    security = SECURITY
    dependencies = {"service": Provide(provide_service_item_service, sync_to_thread=False)}

    @get("/", operation_id="ListServiceItems", responses=errors(400, 401))
    async def list_service_items(
        self, service: ServiceItemServiceDep, department_id: FromQuery[UUID | None] = None
    ) -> schemas.ServiceItemPage:
        """All service items by name, optionally of one department."""
        return schemas.ServiceItemPage(items=await service.list(department_id))

    @get("/{item_id:uuid}", operation_id="GetServiceItem", responses=errors(400, 401, 404))
    async def get_service_item(
        self, item_id: FromPath[UUID], service: ServiceItemServiceDep
    ) -> schemas.ServiceItem:
        """One service item."""
        return await service.get(item_id)

    @post("/", operation_id="CreateServiceItem", responses=errors(400, 401, 403, 409, 422))
    async def create_service_item(
        self, data: JSONBody[schemas.ServiceItemCreate], service: ServiceItemServiceDep
    ) -> schemas.ServiceItem:
        """Create a service item (admins and managers); its skills must exist."""
        return await service.create(data)

    @patch(
        "/{item_id:uuid}",
        operation_id="UpdateServiceItem",
        responses=errors(400, 401, 403, 404, 409, 422),
    )
    async def update_service_item(
        self,
        item_id: FromPath[UUID],
        data: JSONBody[schemas.ServiceItemUpdate],
        service: ServiceItemServiceDep,
    ) -> schemas.ServiceItem:
        """Change a service item (admins and managers)."""
        return await service.update(item_id, data)

    @delete(
        "/{item_id:uuid}",
        operation_id="DeleteServiceItem",
        responses=errors(400, 401, 403, 404, 409),
    )
    async def delete_service_item(
        self, item_id: FromPath[UUID], service: ServiceItemServiceDep
    ) -> None:
        """Delete a service item no order names (admins and managers)."""
        await service.delete(item_id)


CONTROLLERS: list[type] = [
    DepartmentController,
    TeamController,
    SkillController,
    CustomerGroupController,
    CustomerController,
    SiteController,
    AssetController,
    ServiceItemController,
]
