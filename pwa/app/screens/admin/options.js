// Fixed value lists the admin forms choose from, with their texts.
import { t } from "../../lib/i18n.js";

export const ROLES = ["admin", "manager", "technician", "inspector", "requester"];
export const PRIORITIES = ["P1", "P2", "P3", "P4", "P5"];
export const KINDS = ["customer_request", "project", "planned", "preventive", "service", "inspection"];

export const roleChoices = () => ROLES.map((role) => [role, t(`admin.role.${role}`)]);
export const kindChoices = () => KINDS.map((kind) => [kind, t(`admin.kind.${kind}`)]);
export const priorityChoices = () => PRIORITIES.map((p) => [p, p]);
export const languageChoices = () => [["zh-CN", "简体中文"], ["en", "English"]];
