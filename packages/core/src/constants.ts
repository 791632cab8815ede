/** Default time between two renewals of a lease a host owns: 10 s (the seed's `DefaultLeaseRenewalInterval`). */
export const DefaultLeaseRenewalInterval = 10_000;

/** Default time a lease stays valid without renewal: 60 s (the seed's `DefaultLeaseDuration`). */
export const DefaultLeaseDuration = 60_000;

/** Default time between two scans of all leases by the balancer: 10 s (the seed scans every 10 s). */
export const DefaultScanInterval = 10_000;
