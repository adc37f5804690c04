// Generated from the gateway's OpenAPI document by scripts/api-types.js: do not edit.
// `npm run build && npm run api-types -w @aviary/web` regenerates it.

export type paths = {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["HealthController_readiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["HealthController_liveness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["MetricsController_metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/github": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** GitHub push and ping (X-Hub-Signature-256, X-GitHub-Event, X-GitHub-Delivery) */
        post: operations["WebhooksController_github"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/gitlab": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** GitLab push and tag push (X-Gitlab-Token, X-Gitlab-Event, X-Gitlab-Event-UUID) */
        post: operations["WebhooksController_gitlab"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/bitbucket": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Bitbucket Cloud repo:push (X-Hub-Signature, X-Event-Key, X-Request-UUID) */
        post: operations["WebhooksController_bitbucket"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/generic/{application}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Any other source: a signed JSON body naming repo, ref and sha */
        post: operations["WebhooksController_generic"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/applications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ApplicationsController_list"];
        put?: never;
        post: operations["ApplicationsController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/applications/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ApplicationsController_get"];
        put?: never;
        post?: never;
        delete: operations["ApplicationsController_remove"];
        options?: never;
        head?: never;
        patch: operations["ApplicationsController_update"];
        trace?: never;
    };
    "/api/v1/executions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Executions, newest first, filtered and paged */
        get: operations["ExecutionsController_list"];
        put?: never;
        /** Start an execution by hand for a branch at a commit */
        post: operations["ExecutionsController_trigger"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/executions/{executionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One execution with its stages, attempts, outputs, durations, trigger and history */
        get: operations["ExecutionsController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/executions/{executionId}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["ExecutionsController_cancel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/executions/{executionId}/stages/{stageId}/restart": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["ExecutionsController_restart"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/executions/{executionId}/stages/{stageId}/judgment": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Approve or reject a manual judgment, with a comment */
        post: operations["ExecutionsController_judge"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/executions/{executionId}/stages/{stageId}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A page of a stage attempt's log (persisted by the builder) */
        get: operations["ExecutionsController_logs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/executions/{executionId}/stages/{stageId}/logs/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A stage's log lines as they are written: server-sent events `log` */
        get: operations["ExecutionsController_liveLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/executions/{executionId}/stages/{stageId}/canary-report": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The canary analysis report of a stage (from the canary service) */
        get: operations["ReportsController_canary"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/executions/{executionId}/stages/{stageId}/quality-report": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The quality gate report of a stage (from the quality service) */
        get: operations["ReportsController_quality"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Server-sent events of executions, stages, judgments (and log lines when following one execution)
         * @description Each stored event has an `id` (its position in the events stream): reconnecting with `Last-Event-ID` replays what came after it. Log lines (`event: log`) are live only and carry no id.
         */
        get: operations["EventsController_events"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["TokensController_list"];
        put?: never;
        post: operations["TokensController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tokens/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete: operations["TokensController_revoke"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AuditController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/slack/interactions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Slack interactivity (block_actions): judgment buttons of notifier messages */
        post: operations["SlackController_interactions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/applications/{name}/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The application's notification settings set through the API, and what the notifier lacks to serve them */
        get: operations["NotificationsController_get"];
        /** Replace the notification settings: channels, subscriptions by event, templates */
        put: operations["NotificationsController_put"];
        post?: never;
        /** Remove the settings set through the API (the pipeline file's still apply) */
        delete: operations["NotificationsController_remove"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/notifications/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Deliveries, newest first, with every attempt (status code, error, Retry-After) */
        get: operations["NotificationsController_deliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/applications/{name}/environments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An application's environments with their server groups (version, image, replicas, health) and newest release (from the deployer) */
        get: operations["EnvironmentsController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller: name, role, and what the role allows (401 when it must sign in) */
        get: operations["SessionController_session"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sign-in": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** How to sign in: whether reads are open, and the OIDC issuer and client */
        get: operations["SessionController_signIn"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
};
export type webhooks = Record<string, never>;
export type components = {
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
};
export type $defs = Record<string, never>;
export interface operations {
    HealthController_readiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The Health Check is successful */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * @example ok
                         * @enum {string}
                         */
                        status?: "ok" | "degraded";
                        /**
                         * @example {
                         *       "database": {
                         *         "status": "up",
                         *         "responseTime": 12
                         *       }
                         *     }
                         */
                        info?: {
                            [key: string]: {
                                /** @enum {string} */
                                status: "up" | "degraded" | "down";
                                /** @description Time the health indicator took to respond, in ms */
                                responseTime?: number;
                            } & {
                                [key: string]: unknown;
                            };
                        } | null;
                        /** @example {} */
                        error?: {
                            [key: string]: {
                                /** @enum {string} */
                                status: "up" | "degraded" | "down";
                                /** @description Time the health indicator took to respond, in ms */
                                responseTime?: number;
                            } & {
                                [key: string]: unknown;
                            };
                        } | null;
                        /**
                         * @example {
                         *       "database": {
                         *         "status": "up",
                         *         "responseTime": 12
                         *       }
                         *     }
                         */
                        details?: {
                            [key: string]: {
                                /** @enum {string} */
                                status: "up" | "degraded" | "down";
                                /** @description Time the health indicator took to respond, in ms */
                                responseTime?: number;
                            } & {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description The Health Check is not successful */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * @example error
                         * @enum {string}
                         */
                        status?: "error" | "shutting_down";
                        /**
                         * @example {
                         *       "database": {
                         *         "status": "up",
                         *         "responseTime": 12
                         *       }
                         *     }
                         */
                        info?: {
                            [key: string]: {
                                /** @enum {string} */
                                status: "up" | "degraded" | "down";
                                /** @description Time the health indicator took to respond, in ms */
                                responseTime?: number;
                            } & {
                                [key: string]: unknown;
                            };
                        } | null;
                        /**
                         * @example {
                         *       "redis": {
                         *         "status": "down",
                         *         "message": "Could not connect",
                         *         "responseTime": 3005
                         *       }
                         *     }
                         */
                        error?: {
                            [key: string]: {
                                /** @enum {string} */
                                status: "up" | "degraded" | "down";
                                /** @description Time the health indicator took to respond, in ms */
                                responseTime?: number;
                            } & {
                                [key: string]: unknown;
                            };
                        } | null;
                        /**
                         * @example {
                         *       "database": {
                         *         "status": "up",
                         *         "responseTime": 12
                         *       },
                         *       "redis": {
                         *         "status": "down",
                         *         "message": "Could not connect",
                         *         "responseTime": 3005
                         *       }
                         *     }
                         */
                        details?: {
                            [key: string]: {
                                /** @enum {string} */
                                status: "up" | "degraded" | "down";
                                /** @description Time the health indicator took to respond, in ms */
                                responseTime?: number;
                            } & {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
        };
    };
    HealthController_liveness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    MetricsController_metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    WebhooksController_github: {
        parameters: {
            query?: never;
            header: {
                "X-GitHub-Delivery": string;
                "X-GitHub-Event": string;
                "X-Hub-Signature-256": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a redelivery ("duplicate"), or a ping ("pong") */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "accepted" | "ignored" | "duplicate" | "pong";
                        message: string;
                        deliveryId?: string;
                        applications?: string[];
                        ignored?: string[];
                    };
                };
            };
            /** @description stored on the bus (accepted), or ignored with the reason */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "accepted" | "ignored" | "duplicate" | "pong";
                        message: string;
                        deliveryId?: string;
                        applications?: string[];
                        ignored?: string[];
                    };
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
        };
    };
    WebhooksController_gitlab: {
        parameters: {
            query?: never;
            header: {
                "X-Gitlab-Event-UUID": string;
                "X-Gitlab-Event": string;
                "X-Gitlab-Token": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a redelivery ("duplicate"), or a ping ("pong") */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "accepted" | "ignored" | "duplicate" | "pong";
                        message: string;
                        deliveryId?: string;
                        applications?: string[];
                        ignored?: string[];
                    };
                };
            };
            /** @description stored on the bus (accepted), or ignored with the reason */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "accepted" | "ignored" | "duplicate" | "pong";
                        message: string;
                        deliveryId?: string;
                        applications?: string[];
                        ignored?: string[];
                    };
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
        };
    };
    WebhooksController_bitbucket: {
        parameters: {
            query?: never;
            header: {
                "X-Request-UUID": string;
                "X-Event-Key": string;
                /** @description sha256=<HMAC-SHA256 of the body> */
                "X-Hub-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a redelivery ("duplicate"), or a ping ("pong") */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "accepted" | "ignored" | "duplicate" | "pong";
                        message: string;
                        deliveryId?: string;
                        applications?: string[];
                        ignored?: string[];
                    };
                };
            };
            /** @description stored on the bus (accepted), or ignored with the reason */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "accepted" | "ignored" | "duplicate" | "pong";
                        message: string;
                        deliveryId?: string;
                        applications?: string[];
                        ignored?: string[];
                    };
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
        };
    };
    WebhooksController_generic: {
        parameters: {
            query?: never;
            header: {
                /** @description names the delivery: a repeat is a duplicate */
                "X-Request-UUID": string;
                /** @description sha256=<HMAC-SHA256 of the body> */
                "X-Aviary-Signature": string;
            };
            path: {
                application: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description the repository, as the application has it */
                    repo: string;
                    ref: string;
                    sha: string;
                    actor?: string;
                    message?: string;
                };
            };
        };
        responses: {
            /** @description a redelivery ("duplicate"), or a ping ("pong") */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "accepted" | "ignored" | "duplicate" | "pong";
                        message: string;
                        deliveryId?: string;
                        applications?: string[];
                        ignored?: string[];
                    };
                };
            };
            /** @description stored on the bus (accepted), or ignored with the reason */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "accepted" | "ignored" | "duplicate" | "pong";
                        message: string;
                        deliveryId?: string;
                        applications?: string[];
                        ignored?: string[];
                    };
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
        };
    };
    ApplicationsController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        applications: {
                            name: string;
                            /** @enum {string} */
                            provider: "github" | "gitlab" | "bitbucket" | "generic";
                            repositoryUrl: string;
                            defaultBranch: string;
                            buildTags: boolean;
                            /** @description where the provider posts webhooks, on the gateway */
                            webhookPath: string;
                            createdBy: string;
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            updatedAt: string;
                        }[];
                    };
                };
            };
        };
    };
    ApplicationsController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description lowercase letters, digits and dashes */
                    name: string;
                    /** @enum {string} */
                    provider: "github" | "gitlab" | "bitbucket" | "generic";
                    /** @description the repository, as its web or clone URL */
                    repositoryUrl: string;
                    /** @default main */
                    defaultBranch?: string;
                    /** @description the secret the provider signs webhooks with (generated when not given) */
                    webhookSecret?: string;
                    /**
                     * @description whether tag pushes start an execution
                     * @default false
                     */
                    buildTags?: boolean;
                };
            };
        };
        responses: {
            /** @description the webhook secret is in this answer only */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        /** @enum {string} */
                        provider: "github" | "gitlab" | "bitbucket" | "generic";
                        repositoryUrl: string;
                        defaultBranch: string;
                        buildTags: boolean;
                        /** @description where the provider posts webhooks, on the gateway */
                        webhookPath: string;
                        createdBy: string;
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        updatedAt: string;
                        /** @description shown this once: configure it at the provider */
                        webhookSecret: string;
                    };
                };
            };
        };
    };
    ApplicationsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        /** @enum {string} */
                        provider: "github" | "gitlab" | "bitbucket" | "generic";
                        repositoryUrl: string;
                        defaultBranch: string;
                        buildTags: boolean;
                        /** @description where the provider posts webhooks, on the gateway */
                        webhookPath: string;
                        createdBy: string;
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
        };
    };
    ApplicationsController_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    ApplicationsController_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    provider?: "github" | "gitlab" | "bitbucket" | "generic";
                    /** @description the repository, as its web or clone URL */
                    repositoryUrl?: string;
                    defaultBranch?: string;
                    /** @description a new secret (rotation); it is not returned */
                    webhookSecret?: string;
                    buildTags?: boolean;
                };
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        /** @enum {string} */
                        provider: "github" | "gitlab" | "bitbucket" | "generic";
                        repositoryUrl: string;
                        defaultBranch: string;
                        buildTags: boolean;
                        /** @description where the provider posts webhooks, on the gateway */
                        webhookPath: string;
                        createdBy: string;
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
        };
    };
    ExecutionsController_list: {
        parameters: {
            query?: {
                application?: string;
                branch?: string;
                /** @description one or more statuses, comma-separated (RUNNING,PAUSED) */
                status?: string;
                limit?: number;
                /** @description nextCursor of the previous page */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        executions: {
                            executionId: string;
                            application: string;
                            pipeline?: string;
                            branch?: string;
                            sha: string;
                            /** @enum {string} */
                            status: "NOT_STARTED" | "RUNNING" | "PAUSED" | "SUCCEEDED" | "FAILED" | "CANCELED" | "TERMINAL";
                            reason?: string;
                            trigger: {
                                /** @enum {string} */
                                kind: "push" | "tag" | "manual" | "api";
                                /** @enum {string} */
                                provider: "github" | "gitlab" | "bitbucket" | "generic" | "aviary";
                                repository: string;
                                ref: string;
                                branch?: string;
                                tag?: string;
                                sha: string;
                                actor?: string;
                                message?: string;
                            };
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            startedAt?: string;
                            /** Format: date-time */
                            endedAt?: string;
                            durationMs?: number;
                        }[];
                        total: number;
                        nextCursor?: string;
                    };
                };
            };
        };
    };
    ExecutionsController_trigger: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    application: string;
                    branch: string;
                    sha: string;
                    message?: string;
                };
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "accepted";
                        executionId: string;
                        message: string;
                    };
                };
            };
        };
    };
    ExecutionsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                executionId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        executionId: string;
                        application: string;
                        pipeline?: string;
                        branch?: string;
                        sha: string;
                        /** @enum {string} */
                        status: "NOT_STARTED" | "RUNNING" | "PAUSED" | "SUCCEEDED" | "FAILED" | "CANCELED" | "TERMINAL";
                        reason?: string;
                        trigger: {
                            /** @enum {string} */
                            kind: "push" | "tag" | "manual" | "api";
                            /** @enum {string} */
                            provider: "github" | "gitlab" | "bitbucket" | "generic" | "aviary";
                            repository: string;
                            ref: string;
                            branch?: string;
                            tag?: string;
                            sha: string;
                            actor?: string;
                            message?: string;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        startedAt?: string;
                        /** Format: date-time */
                        endedAt?: string;
                        durationMs?: number;
                        /** @enum {string} */
                        concurrency?: "queue" | "cancel";
                        timeoutMs?: number;
                        stages: {
                            stageId: string;
                            name: string;
                            type: string;
                            dependsOn: string[];
                            /** @enum {string} */
                            status: "NOT_STARTED" | "RUNNING" | "PAUSED" | "SUCCEEDED" | "FAILED" | "FAILED_CONTINUE" | "CANCELED" | "SKIPPED" | "TERMINAL";
                            attempt: number;
                            reason?: string;
                            outputs: {
                                [key: string]: unknown;
                            };
                            /** Format: date-time */
                            startedAt?: string;
                            /** Format: date-time */
                            endedAt?: string;
                            durationMs?: number;
                            attempts: {
                                attempt: number;
                                /** @enum {string} */
                                status: "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELED";
                                worker?: string;
                                /** Format: date-time */
                                dispatchedAt: string;
                                /** Format: date-time */
                                startedAt?: string;
                                /** Format: date-time */
                                endedAt?: string;
                                /** Format: date-time */
                                deadline?: string;
                                error?: string;
                                outputs: {
                                    [key: string]: unknown;
                                };
                            }[];
                        }[];
                        history: {
                            /** Format: date-time */
                            at: string;
                            actor: string;
                            action: string;
                            stageId?: string;
                            from?: string;
                            to?: string;
                            detail?: string;
                        }[];
                    };
                };
            };
        };
    };
    ExecutionsController_cancel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                executionId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason?: string;
                };
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "accepted";
                        executionId: string;
                        message: string;
                    };
                };
            };
        };
    };
    ExecutionsController_restart: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                executionId: string;
                stageId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "accepted";
                        executionId: string;
                        message: string;
                    };
                };
            };
        };
    };
    ExecutionsController_judge: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                executionId: string;
                stageId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    decision: "approve" | "reject";
                    comment?: string;
                };
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "accepted";
                        executionId: string;
                        message: string;
                    };
                };
            };
        };
    };
    ExecutionsController_logs: {
        parameters: {
            query?: {
                attempt?: number;
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path: {
                executionId: string;
                stageId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        lines: {
                            executionId: string;
                            stageId: string;
                            attempt: number;
                            seq: number;
                            /** @enum {string} */
                            stream: "stdout" | "stderr" | "system";
                            /** Format: date-time */
                            time: string;
                            text: string;
                        }[];
                        nextCursor?: string;
                        /** @description the stage attempt ended and every line is stored */
                        complete: boolean;
                    };
                };
            };
        };
    };
    ExecutionsController_liveLogs: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                executionId: string;
                stageId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/event-stream */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    ReportsController_canary: {
        parameters: {
            query?: {
                attempt?: number;
            };
            header?: never;
            path: {
                executionId: string;
                stageId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        reportId: string;
                        executionId: string;
                        stageId: string;
                        attempt: number;
                        application: string;
                        /** @enum {string} */
                        verdict: "running" | "pass" | "marginal" | "fail" | "error" | "cancelled";
                        score?: number;
                        thresholds?: {
                            pass: number;
                            marginal: number;
                        };
                        /** Format: date-time */
                        startedAt: string;
                        /** Format: date-time */
                        completedAt?: string;
                        summary?: string;
                        /** @default {} */
                        details: {
                            [key: string]: unknown;
                        };
                        intervals?: {
                            index: number;
                            baseline: {
                                /** Format: date-time */
                                start: string;
                                /** Format: date-time */
                                end: string;
                            };
                            canary: {
                                /** Format: date-time */
                                start: string;
                                /** Format: date-time */
                                end: string;
                            };
                            score: number;
                            /** @enum {string} */
                            classification: "Pass" | "Marginal" | "Fail";
                            explanation: string;
                            /** Format: date-time */
                            judgedAt: string;
                            groupScores: {
                                name: string;
                                score: number;
                                weight: number;
                                noData: boolean;
                            }[];
                            metrics: {
                                name: string;
                                /** @default {} */
                                tags: {
                                    [key: string]: string;
                                };
                                /** @default [] */
                                groups: string[];
                                /** @enum {string} */
                                classification: "Pass" | "High" | "Low" | "Nodata" | "NodataFailMetric" | "Error";
                                reason?: string;
                                critical: boolean;
                                muted: boolean;
                                ratio?: number | ("NaN" | "+Inf" | "-Inf");
                                explanation: string;
                                baseline: {
                                    query?: string;
                                    stats: {
                                        count: number;
                                        mean: number | ("NaN" | "+Inf" | "-Inf");
                                        min: number | ("NaN" | "+Inf" | "-Inf");
                                        max: number | ("NaN" | "+Inf" | "-Inf");
                                        std: number | ("NaN" | "+Inf" | "-Inf");
                                    };
                                    series: (number | (number | ("NaN" | "+Inf" | "-Inf")))[][];
                                    denominator?: (number | (number | ("NaN" | "+Inf" | "-Inf")))[][];
                                };
                                canary: {
                                    query?: string;
                                    stats: {
                                        count: number;
                                        mean: number | ("NaN" | "+Inf" | "-Inf");
                                        min: number | ("NaN" | "+Inf" | "-Inf");
                                        max: number | ("NaN" | "+Inf" | "-Inf");
                                        std: number | ("NaN" | "+Inf" | "-Inf");
                                    };
                                    series: (number | (number | ("NaN" | "+Inf" | "-Inf")))[][];
                                    denominator?: (number | (number | ("NaN" | "+Inf" | "-Inf")))[][];
                                };
                                analysis?: {
                                    [key: string]: unknown;
                                };
                            }[];
                            /** @default [] */
                            warnings: string[];
                        }[];
                        plannedIntervals?: number;
                    };
                };
            };
        };
    };
    ReportsController_quality: {
        parameters: {
            query?: {
                attempt?: number;
            };
            header?: never;
            path: {
                executionId: string;
                stageId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        reportId: string;
                        executionId: string;
                        stageId: string;
                        attempt: number;
                        application: string;
                        /** @enum {string} */
                        gate: "passed" | "failed" | "error" | "none";
                        /** @default {} */
                        metrics: {
                            [key: string]: number;
                        };
                        /** @default [] */
                        conditions: {
                            metric: string;
                            /** @enum {string} */
                            operator: "lt" | "lte" | "gt" | "gte" | "eq";
                            threshold: number;
                            actual?: number;
                            passed: boolean;
                            /** @enum {string} */
                            status?: "OK" | "WARN" | "ERROR" | "NO_VALUE";
                            errorThreshold?: number;
                            warningThreshold?: number;
                            onNewCode?: boolean;
                            description?: string;
                        }[];
                        /** Format: date-time */
                        evaluatedAt: string;
                        /** @default {} */
                        details: {
                            [key: string]: unknown;
                        };
                        /** @enum {string} */
                        status?: "OK" | "WARN" | "ERROR";
                        gateName?: string;
                        /** @enum {string} */
                        provider?: "aviary" | "sonarqube";
                        branch?: string;
                        sha?: string;
                        subProjects?: {
                            name: string;
                            /** @enum {string} */
                            status: "OK" | "WARN" | "ERROR";
                            /** @default {} */
                            metrics: {
                                [key: string]: number;
                            };
                            /** @default [] */
                            conditions: {
                                metric: string;
                                /** @enum {string} */
                                operator: "lt" | "lte" | "gt" | "gte" | "eq";
                                threshold: number;
                                actual?: number;
                                passed: boolean;
                                /** @enum {string} */
                                status?: "OK" | "WARN" | "ERROR" | "NO_VALUE";
                                errorThreshold?: number;
                                warningThreshold?: number;
                                onNewCode?: boolean;
                                description?: string;
                            }[];
                        }[];
                        failing?: string[];
                        unreadable?: {
                            kind: string;
                            file: string;
                            problem: string;
                        }[];
                        newCode?: {
                            available: boolean;
                            reason?: string;
                            baseSha?: string;
                            files?: number;
                            lines?: number;
                        };
                        previous?: {
                            reportId: string;
                            sha?: string;
                            /** @enum {string} */
                            status: "OK" | "WARN" | "ERROR";
                            /** Format: date-time */
                            evaluatedAt: string;
                        };
                        delta?: {
                            [key: string]: number;
                        };
                    };
                };
            };
        };
    };
    EventsController_events: {
        parameters: {
            query?: {
                application?: string;
                execution?: string;
                /** @description for clients that cannot send the Last-Event-ID header */
                lastEventId?: string;
            };
            header?: {
                "Last-Event-ID"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/event-stream */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    TokensController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        tokens: {
                            /** Format: uuid */
                            id: string;
                            name: string;
                            /** @enum {string} */
                            role: "viewer" | "deployer" | "admin";
                            createdBy: string;
                            createdAt: string;
                            expiresAt: string | null;
                        }[];
                    };
                };
            };
        };
    };
    TokensController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /** @enum {string} */
                    role: "viewer" | "deployer" | "admin";
                    /**
                     * Format: date-time
                     * @description when the token stops working
                     */
                    expiresAt?: string;
                };
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        name: string;
                        /** @enum {string} */
                        role: "viewer" | "deployer" | "admin";
                        createdBy: string;
                        createdAt: string;
                        expiresAt: string | null;
                        /** @description shown this once */
                        token: string;
                    };
                };
            };
        };
    };
    TokensController_revoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    AuditController_list: {
        parameters: {
            query?: {
                limit?: number;
                /** @description records older than this id (paging) */
                before?: string;
                actor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        records: {
                            id: string;
                            at: string;
                            actor: string;
                            role: string | null;
                            via: string;
                            action: string;
                            target: string | null;
                            status: number;
                            /** @enum {string} */
                            outcome: "succeeded" | "failed" | "denied";
                            sourceAddress: string;
                            userAgent: string | null;
                        }[];
                        nextBefore?: string;
                    };
                };
            };
        };
    };
    SlackController_interactions: {
        parameters: {
            query?: never;
            header: {
                /** @description Unix time; at most five minutes old */
                "X-Slack-Request-Timestamp": string;
                /** @description v0=<HMAC-SHA256 of v0:<timestamp>:<body>> */
                "X-Slack-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description accepted (Slack shows nothing) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
            /** @description AVIARY_SLACK_SIGNING_SECRET is not set */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        errors?: {
                            field: string;
                            message: string;
                        }[];
                    };
                };
            };
        };
    };
    NotificationsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        application: string;
                        settings: {
                            /**
                             * @description The application's channels: they get failures, canary failures, judgments and rollbacks (commit status channels: every execution status).
                             * @default []
                             */
                            channels: string[];
                            /**
                             * @description Which events go to which channel, beside the defaults of `channels`.
                             * @default []
                             */
                            subscriptions: {
                                channel: string;
                                events: ("execution.started" | "execution.succeeded" | "execution.failed" | "execution.canceled" | "stage.failed" | "canary.passed" | "canary.marginal" | "canary.failed" | "judgment.requested" | "rollback.done")[];
                            }[];
                            /**
                             * @description Overrides of the built-in templates, by event (execution.failed) or by kind and event (email:execution.failed).
                             * @default {}
                             */
                            templates: {
                                [key: string]: {
                                    title?: string;
                                    body?: string;
                                };
                            };
                            /** @description Template of the commit status context (default `aviary/{{application}}`, and `/{{stage.id}}` for stage statuses). */
                            statusContext?: string;
                        } | null;
                        updatedBy?: string;
                        /** Format: date-time */
                        updatedAt?: string;
                        problems: {
                            channel: string;
                            problem: string;
                        }[];
                    };
                };
            };
        };
    };
    NotificationsController_put: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description The application's channels: they get failures, canary failures, judgments and rollbacks (commit status channels: every execution status).
                     * @default []
                     */
                    channels?: string[];
                    /**
                     * @description Which events go to which channel, beside the defaults of `channels`.
                     * @default []
                     */
                    subscriptions?: {
                        channel: string;
                        events: ("execution.started" | "execution.succeeded" | "execution.failed" | "execution.canceled" | "stage.failed" | "canary.passed" | "canary.marginal" | "canary.failed" | "judgment.requested" | "rollback.done")[];
                    }[];
                    /**
                     * @description Overrides of the built-in templates, by event (execution.failed) or by kind and event (email:execution.failed).
                     * @default {}
                     */
                    templates?: {
                        [key: string]: {
                            title?: string;
                            body?: string;
                        };
                    };
                    /** @description Template of the commit status context (default `aviary/{{application}}`, and `/{{stage.id}}` for stage statuses). */
                    statusContext?: string;
                };
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "accepted";
                        message: string;
                    };
                };
            };
        };
    };
    NotificationsController_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "accepted";
                        message: string;
                    };
                };
            };
        };
    };
    NotificationsController_deliveries: {
        parameters: {
            query?: {
                application?: string;
                executionId?: string;
                /** @description one or more statuses, comma-separated (dead,pending) */
                status?: string;
                limit?: number;
                /** @description nextCursor of the previous page */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deliveries: {
                            id: string;
                            eventId: string;
                            eventType: string;
                            notification: string;
                            application: string;
                            executionId?: string;
                            channel: string;
                            /** @enum {string} */
                            status: "pending" | "sending" | "delivered" | "dead" | "cancelled";
                            attempts: {
                                attempt: number;
                                /** Format: date-time */
                                at: string;
                                durationMs: number;
                                /** @enum {string} */
                                outcome: "delivered" | "retry" | "dead" | "coalesced";
                                statusCode?: number;
                                error?: string;
                                retryAfterMs?: number;
                            }[];
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            deliveredAt?: string;
                            /** Format: date-time */
                            nextAttemptAt?: string;
                            lastError?: string;
                        }[];
                        nextCursor?: string;
                    };
                };
            };
        };
    };
    EnvironmentsController_list: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        application: string;
                        environments: {
                            environment: string;
                            namespace: string;
                            serverGroups: {
                                name: string;
                                /** @enum {string} */
                                role: "production" | "baseline" | "canary" | "previous";
                                image: string;
                                version: string;
                                replicas: number;
                                /** @enum {string} */
                                health: "healthy" | "deploying" | "retiring";
                                releaseId?: string;
                                executionId?: string;
                                /** Format: date-time */
                                deployedAt?: string;
                            }[];
                            lastRelease: {
                                releaseId: string;
                                executionId: string;
                                stageId: string;
                                /** @enum {string} */
                                strategy: "rolling" | "blue-green" | "rolling-red-black" | "canary";
                                /** @enum {string} */
                                state: "requested" | "deploying" | "healthy" | "promoting" | "promoted" | "rolling-back" | "rolled-back" | "failed" | "aborted";
                                image: string;
                                reason?: string;
                                /** Format: date-time */
                                changedAt: string;
                            };
                        }[];
                    };
                };
            };
        };
    };
    SessionController_session: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        user: string;
                        /** @enum {string} */
                        role: "viewer" | "deployer" | "admin";
                        /** @enum {string} */
                        via: "token" | "oidc" | "anonymous";
                        may: {
                            operate: boolean;
                            administer: boolean;
                        };
                    };
                };
            };
        };
    };
    SessionController_signIn: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        anonymousRead: boolean;
                        oidc?: {
                            issuer: string;
                            clientId: string;
                            scopes: string;
                        };
                    };
                };
            };
        };
    };
}
