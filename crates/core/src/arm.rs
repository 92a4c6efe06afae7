//! Azure Resource Manager (reference §2.7, §2.10): the directories a user belongs to, and
//! whether an organization is linked to a subscription for billing.

use crate::config::ArmConfig;
use crate::error::{Error, Result};
use crate::http::{HttpClient, Request};
use crate::secret::Secret;
use reqwest::Method;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Directory {
    pub tenant_id: String,
    pub display_name: String,
    pub default_domain: String,
    /// `Home`, `ProjectedBy`, `ManagedBy`, or `Domain` when the person typed a domain.
    pub category: String,
    #[serde(default)]
    pub domains: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TenantBody {
    tenant_id: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    default_domain: Option<String>,
    #[serde(default)]
    tenant_category: Option<String>,
    #[serde(default)]
    domains: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page<T> {
    #[serde(default = "Vec::new")]
    value: Vec<T>,
    #[serde(default)]
    next_link: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubscriptionBody {
    subscription_id: String,
}

#[derive(Deserialize)]
struct ResourceBody {
    name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Billing {
    pub linked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    pub link: String,
}

#[derive(Debug, Clone)]
pub struct ArmClient {
    http: HttpClient,
    cfg: ArmConfig,
}

/// Follow `nextLink` only while it stays on the configured ARM host.
const MAX_PAGES: usize = 20;

impl ArmClient {
    pub fn new(cfg: ArmConfig, http: HttpClient) -> Self {
        ArmClient { http, cfg }
    }

    fn url(&self, path: &str, api_version: &str) -> Result<url::Url> {
        let base = self.cfg.base.trim_end_matches('/');
        let mut u = url::Url::parse(&format!("{base}{path}"))
            .map_err(|e| Error::internal(e.to_string()))?;
        u.query_pairs_mut().append_pair("api-version", api_version);
        Ok(u)
    }

    async fn pages<T: serde::de::DeserializeOwned>(
        &self,
        token: &Secret,
        first: url::Url,
        endpoint: &'static str,
    ) -> Result<Vec<T>> {
        let base_origin = url::Url::parse(&self.cfg.base).map(|u| u.origin()).ok();
        let mut out = vec![];
        let mut next = Some(first);
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            let resp = self
                .http
                .send(Request::new(Method::GET, url, endpoint).bearer(token))
                .await?;
            let page: Page<T> = resp.json(endpoint)?;
            out.extend(page.value);
            next = page
                .next_link
                .and_then(|l| url::Url::parse(&l).ok())
                .filter(|u| Some(u.origin()) == base_origin && pages < MAX_PAGES);
        }
        Ok(out)
    }

    /// `GET /tenants?api-version=2022-12-01` with an ARM token.
    pub async fn tenants(&self, token: &Secret) -> Result<Vec<Directory>> {
        let bodies: Vec<TenantBody> = self
            .pages(token, self.url("/tenants", "2022-12-01")?, "tenants")
            .await?;
        Ok(bodies
            .into_iter()
            .map(|t| Directory {
                display_name: t.display_name.unwrap_or_else(|| t.tenant_id.clone()),
                default_domain: t.default_domain.unwrap_or_default(),
                category: t.tenant_category.unwrap_or_else(|| "Home".into()),
                domains: t.domains,
                tenant_id: t.tenant_id,
            })
            .collect())
    }

    /// Is `org` a `microsoft.visualstudio/account` resource in one of the user's subscriptions?
    pub async fn billing(
        &self,
        token: &Secret,
        org: &str,
        billing_link: String,
    ) -> Result<Billing> {
        let subs: Vec<SubscriptionBody> = self
            .pages(
                token,
                self.url("/subscriptions", "2022-12-01")?,
                "subscriptions",
            )
            .await?;
        for sub in subs {
            uuid::Uuid::parse_str(&sub.subscription_id).map_err(|_| {
                crate::http::malformed("subscriptions", "subscription id is not a GUID")
            })?;
            let mut url = self.url(
                &format!("/subscriptions/{}/resources", sub.subscription_id),
                "2021-04-01",
            )?;
            url.query_pairs_mut().append_pair(
                "$filter",
                "resourceType eq 'microsoft.visualstudio/account'",
            );
            let resources: Vec<ResourceBody> = self.pages(token, url, "resources").await?;
            if resources.iter().any(|r| r.name.eq_ignore_ascii_case(org)) {
                return Ok(Billing {
                    linked: true,
                    subscription_id: Some(sub.subscription_id),
                    link: billing_link,
                });
            }
        }
        Ok(Billing {
            linked: false,
            subscription_id: None,
            link: billing_link,
        })
    }
}
