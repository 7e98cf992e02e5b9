/*
 * limits: every bound candor enforces, in one block (house rule 5). Each is tested at
 * N and N+1. Values come from SECURITY.md where it names one.
 */
#ifndef CORE_LIMITS_H
#define CORE_LIMITS_H

/* HTTP request bounds */
#define LIMIT_HEADER_BYTES (16 * 1024)   /* header block larger than this -> 431 */
#define LIMIT_URL_BYTES (8 * 1024)       /* request target longer than this -> 414 */
#define LIMIT_FORM_BODY_DEFAULT (16 * 1024) /* default per-route body limit -> 413 */
#define LIMIT_ACCOUNT_FORM_BODY (4 * 1024) /* body of an /account form (short fields only) */
#define LIMIT_ACCESS_LOG_PER_PAGE 50     /* rows of /account/access-log per page */
#define LIMIT_PREFS_COOKIE_AGE_S (365 * 24 * 3600) /* the preferences cookie's Max-Age */
#define LIMIT_FORM_FIELDS 64             /* fields in one form body */
#define LIMIT_FORM_NAME 64               /* bytes in a field name (decoded) */
#define LIMIT_COOKIES 32                 /* cookies in one Cookie header */
#define LIMIT_COOKIE_NAME 64
#define LIMIT_COOKIE_VALUE 512
#define LIMIT_PATH_SEGMENTS 16           /* segments in a routed path */
#define LIMIT_PATH_SEGMENT 256           /* bytes in one decoded path segment */
#define LIMIT_HOST_BYTES 253             /* DNS name length; longer -> 400 */
#define LIMIT_QUERY_PARAMS 32

/* MHD daemon settings (set explicitly; MHD has no idle timeout by default) */
#define LIMIT_CONNECTIONS 1024
#define LIMIT_CONNECTIONS_PER_IP 64
#define LIMIT_CONNECTION_TIMEOUT_S 30
#define LIMIT_CONNECTION_MEMORY (32 * 1024)

/* Response cache (per thread, public pages only) */
#define LIMIT_CACHE_SLOTS 512            /* entries per thread, direct-mapped */
#define LIMIT_CACHE_BODY (256 * 1024)    /* larger responses are not cached */
#define LIMIT_CACHE_BYTES (16 * 1024 * 1024) /* body bytes cached per thread */
#define LIMIT_CACHE_TTL_S 10             /* bounds staleness of time-based content */

/* Content */
#define LIMIT_TITLE 200                  /* characters in a post/page/site title */
#define LIMIT_SLUG 100
#define LIMIT_BODY_MARKDOWN (512 * 1024) /* bytes of markdown in one post or page */
#define LIMIT_HOSTS_PER_SITE 16          /* primary + aliases */
#define LIMIT_POSTS_PER_PAGE 10
#define LIMIT_FEED_ENTRIES 20
#define LIMIT_PAGE_NUMBER 100000         /* ?page=N upper bound */
#define LIMIT_ADMIN_FORM_BODY (LIMIT_BODY_MARKDOWN + 16 * 1024) /* an admin post form */
#define LIMIT_ADMIN_LIST 500             /* posts or pages listed on one admin page */
#define LIMIT_SEARCH_QUERY 200           /* characters of a search query (?q=) */
#define LIMIT_SEARCH_TERMS 8             /* terms kept from a query; more are ignored */
#define LIMIT_SEARCH_TERM_BYTES 64       /* bytes of one term; longer terms are cut */
#define LIMIT_SEARCH_PER_PAGE 10         /* results on one page of /search */
#define LIMIT_SEARCH_PAGES 50            /* ?page=N of /search upper bound */

/* Configuration */
#define LIMIT_CONFIG_BYTES (64 * 1024)
#define LIMIT_THREADS 256

/* Templates */
#define LIMIT_TEMPLATE_DEPTH 16          /* nested sections/partials */
#define LIMIT_TEMPLATE_BYTES (256 * 1024)

/* Mail: what mail_enqueue accepts, and delivery retries */
#define LIMIT_MAIL_SUBJECT_MAX 200       /* bytes of UTF-8 */
#define LIMIT_MAIL_BODY_MAX (64 * 1024)  /* bytes */
#define LIMIT_MAIL_LINE_MAX 998          /* bytes per body line (RFC 5322 2.1.1) */
#define LIMIT_MAIL_MAX_ATTEMPTS 10       /* then the message is failed */
#define LIMIT_MAIL_BACKOFF_FIRST_S 60    /* after the first failure; doubles each time */
#define LIMIT_MAIL_BACKOFF_MAX_S (6 * 3600)
#define LIMIT_MAIL_LEASE_S 300           /* SMTP: a `sending` row older than this is recovered */
#define LIMIT_MAIL_LEASE_MAILDIR_S 15    /* Maildir: a local write takes milliseconds */
#define LIMIT_MAIL_SMTP_TIMEOUT_S 120    /* whole SMTP exchange; below LIMIT_MAIL_LEASE_S */

/* Shutdown: exit within LIMIT_SHUTDOWN_S; requests in flight get all but one second */
#define LIMIT_SHUTDOWN_S 5
#define LIMIT_SHUTDOWN_DRAIN_S (LIMIT_SHUTDOWN_S - 1)

/* Privacy: the vault and the audit log */
#define LIMIT_SEALED_PLAIN (64 * 1024)   /* bytes of one personal field before sealing */
#define LIMIT_SUBJECT_BYTES 128          /* a vault subject ("user:42") */
#define LIMIT_VAULT_NAME_BYTES 64        /* table or column name bound into a seal */
#define LIMIT_AUDIT_FIELD 512            /* bytes of one audit entry field */
#define LIMIT_AUDIT_CHECKPOINT_LINE 512  /* bytes of one line of audit.checkpoints */
#define LIMIT_DISCLOSURE_REQUESTER 200   /* bytes of a legal request's requester text */
#define LIMIT_DISCLOSURE_SCOPE 1000      /* bytes of a legal request's scope text */

/* Accounts: passwords (SECURITY.md "Accounts and sessions"; ASVS 2.1.1, 2.1.2, 2.4.1) */
#define LIMIT_PASSWORD_MIN_CHARS 12      /* Unicode code points */
#define LIMIT_PASSWORD_MAX_CHARS 128     /* code points; longer is refused, never cut */
#define LIMIT_PASSWORD_MAX_BYTES (4 * LIMIT_PASSWORD_MAX_CHARS) /* UTF-8: 4 bytes a point */
#define LIMIT_ARGON2_OPSLIMIT 2          /* argon2id t (passes) */
#define LIMIT_ARGON2_MEMLIMIT (19 * 1024 * 1024) /* argon2id m: 19 MiB = 19922944 bytes */

/* Accounts: sessions and sign-in throttling (SECURITY.md; ASVS 2.2.1, 3.2.2, 3.3.1-3.3.2) */
#define LIMIT_SESSION_TOKEN_BYTES 32     /* random bytes in a session token (>= 16) */
#define LIMIT_SESSION_TOUCH_S 60         /* last use is written at most this often */
#define LIMIT_SESSION_IDLE_MIN_MAX (24 * 60) /* [accounts] session_idle_minutes: 1 to this */
#define LIMIT_SESSION_ABSOLUTE_H_MAX (30 * 24) /* [accounts] session_absolute_hours: 1 to this */
#define LIMIT_LOGIN_FAILURES_PER_HOUR 100 /* failed sign-ins per account per window */
#define LIMIT_LOGIN_WINDOW_S 3600        /* the throttling window */
#define LIMIT_ACCOUNT_TOKEN_TTL_S 3600   /* verification and reset links live one hour */
#define LIMIT_ACCOUNT_TOKENS_PER_HOUR 5  /* links of one kind a person may be sent an hour */
#define LIMIT_ACCOUNT_TOKEN_BYTES 32     /* random bytes in a link token (>= 16) */
#define LIMIT_ACCOUNT_REQUEST_WINDOW_S 3600 /* reset requests and signup notices per
						identifier are counted over this window
						(at most LIMIT_ACCOUNT_TOKENS_PER_HOUR) */
#define LIMIT_RESET_ANSWER_MS 8          /* POST /reset answers no sooner than this after
					    it began, known account or not: the known
					    path's extra work (link, audited read, mail)
					    stays under it, so the time tells nothing;
					    kept short because the wait holds a server
					    thread (docs/accounts.md) */
#define LIMIT_LOGIN_IDENTIFIER_BYTES 254 /* a username or email typed to sign in; longer
					    is treated as unknown (RFC 5321 path limit) */
#define LIMIT_IP_TEXT_BYTES 64           /* an IP address as text (IPv6 with zone fits) */

/* Forms without cookies (SECURITY.md "CSRF"; ASVS 4.2.2): web/csrf.c, web/form.c */
#define LIMIT_CSRF_TTL_S (2 * 60 * 60)   /* a form token older than this is refused */
#define LIMIT_CSRF_SKEW_S 60             /* ...and one issued further in the future */
#define LIMIT_FORM_DECLARED 32           /* fields in one declared form table */
#define LIMIT_FORM_EMAIL_BYTES 254       /* an email address (RFC 5321 path limit) */
#define LIMIT_USERNAME_MIN 3             /* a username: [a-z0-9_-], see people.c */
#define LIMIT_USERNAME_MAX 32

/* Analytics: what the classifier reads of a request's headers (src/analytics/) */
#define LIMIT_UA_BYTES 1024              /* a longer User-Agent is classified from its
					    first LIMIT_UA_BYTES bytes */
#define LIMIT_ACCEPT_LANGUAGE_BYTES 1024 /* Accept-Language: only the first bytes are read */
#define LIMIT_REFERRER_BYTES 2048        /* Referer: a host not ended within these bytes
					    is not recorded */

/* Analytics reports (src/analytics/report.c, web/stats.c, candor report) */
#define LIMIT_REPORT_DAYS 366            /* days in one report's period */
#define LIMIT_REPORT_TOP 10              /* values listed per dimension; the rest is "other" */
#define LIMIT_REPORT_K_MAX 1000          /* the largest public threshold k */

/* Analytics recorder (src/analytics/recorder.c, docs/analytics.md) */
#define LIMIT_ANALYTICS_PATH_BYTES 200   /* a recorded path, percent-encoded; a longer one
					    is cut at a segment or escape boundary */
#define LIMIT_ANALYTICS_QUEUE 32768      /* events waiting for the writer (a power of 2);
					    one more is dropped and counted */
#define LIMIT_ANALYTICS_BATCH 16384      /* events the writer stores in one transaction */
#define LIMIT_ANALYTICS_FLUSH_MS 1000    /* queued events are stored within this: what a
					    crash may lose (SECURITY.md) */
#define LIMIT_ANALYTICS_SEEN (1 << 22)   /* (visitor, day, dimension) keys the writer
					    remembers; beyond, a visitor may count twice */
#define LIMIT_ANALYTICS_SALT_GRACE_S 60  /* yesterday's visitor salt is wiped this long
					    after UTC midnight (requests in flight) */

/* Policy versions, announcements, feedback (issue 8: src/policy/, src/mail/, src/feedback/) */
#define LIMIT_POLICY_SUMMARY 500         /* characters in a version's "what changed" */
#define LIMIT_DIFF_LINES 5000            /* lines per side of a policy diff */
#define LIMIT_DIFF_CELLS (2 * 1000 * 1000) /* LCS table cells after the common head and
					    tail: 8 MB at most; beyond, no diff */
#define LIMIT_ANNOUNCE_PER_MINUTE 60     /* [mail] announce_per_minute default */
#define LIMIT_ANNOUNCE_PER_MINUTE_MAX 100000
#define LIMIT_CAMPAIGN_BATCH 200         /* recipients queued per worker pass at most */
#define LIMIT_FEEDBACK_TEXT 5000         /* characters in one feedback message */
#define LIMIT_FEEDBACK_NAME 100          /* characters in a feedback author's name */
#define LIMIT_FEEDBACK_PER_PAGE 50
#define LIMIT_FEEDBACK_EXPORT 1000       /* a member's items in their export */

/* Comments (issue 6): src/sites/comments.c, src/web/comments.c */
#define LIMIT_COMMENT_CHARS 5000         /* characters of one comment's text; longer is
					    refused with a sentence, never cut */
#define LIMIT_COMMENT_AUTHOR_CHARS 80    /* characters of an anonymous commenter's name */
#define LIMIT_COMMENT_FORM_BODY (64 * 1024) /* bytes of a comment form body: the text at 4
					    bytes a character, percent-encoded, fits */
#define LIMIT_COMMENT_MIN_SUBMIT_S 3     /* a comment sent sooner after its form was served
					    (the csrf token's issue time) is refused */
#define LIMIT_COMMENT_EDIT_S 600         /* a member may edit their comment this long */
#define LIMIT_COMMENT_RATE_WINDOW_S 600  /* comments are counted over this window ... */
#define LIMIT_COMMENTS_PER_IP 5          /* ... at most this many from one address */
#define LIMIT_COMMENTS_PER_MEMBER 10     /* ... and from one signed-in member */
#define LIMIT_COMMENT_RATE_SLOTS 4096    /* counters held in memory (keyed hashes) */
#define LIMIT_COMMENTS_PER_POST 500      /* approved comments shown under one post */
#define LIMIT_MODERATION_PER_PAGE 50     /* comments in one page of the moderation queue */
/* The shop (src/commerce) */
#define LIMIT_PRICE_MAX 100000000000LL /* minor units of one price (a billion euros) */
#define LIMIT_VAT_BP 10000             /* a tax rate of at most 100 % */
#define LIMIT_ORDER_QUANTITY 100       /* units of one product in one order */
#define LIMIT_CUSTOMER_NAME 200        /* characters of a customer's name */
#define LIMIT_CUSTOMER_ADDRESS 500     /* characters of a postal address (several lines) */
#define LIMIT_PAY_REF 100              /* characters of a provider's payment reference */
#define LIMIT_PRODUCTS_PER_SITE 1000   /* products listed per site */
#define LIMIT_ORDERS_LISTED 500        /* orders on one page */
#define LIMIT_WEBHOOK_BODY 4096        /* bytes of a payment webhook's body */
#define LIMIT_WEBHOOK_SIG 256          /* bytes of its signature header */
#define LIMIT_WEBHOOK_WINDOW_S 300     /* seconds a webhook's timestamp may be off */
#define LIMIT_CHECKOUT_BODY 8192       /* bytes of a checkout form */

#endif
