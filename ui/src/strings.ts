// Every word the user sees, in one place so the app can be translated later. Plain English;
// today's product names with the old ones in brackets, because owners search for both.

export const ORGS_SERVICE = "Azure DevOps organizations (Team Services accounts)";
export const ENTRA = "Microsoft Entra ID (Azure AD)";
export const PERSONAL_ACCOUNTS = "Personal Microsoft accounts";
/** What About calls settings fixed by the organization's machine policy. */
const SET_BY_ORG = "Set by your organization";

const plural = (n: number, one: string, many: string) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

export const S = {
  app: {
    name: "ADO Connect",
    skipToMain: "Skip to main content",
    demoBadge: "Demo: simulated Microsoft cloud",
    demoBadgeTitle: "ADO Connect is talking to the built-in simulator, not to Microsoft.",
    loading: "Starting ADO Connect…",
    startFailed: "ADO Connect could not start.",
    screenFailed: "This screen could not be opened",
    screenFailedText: "Part of ADO Connect could not be loaded. Restart ADO Connect; if it happens again, reinstall it.",
    configError: "A settings file has a problem",
  },

  nav: {
    label: "Main",
    home: "Home",
    services: "All services",
    orgs: "Organizations",
    after: "After connecting",
    report: "Report",
    about: "About and settings",
    breadcrumb: "Breadcrumb",
  },

  topbar: {
    signedInAs: (name: string, email: string) => `Signed in as ${name} (${email})`,
    signIn: "Sign in",
    signOut: "Sign out",
    notifications: (n: number) => (n === 0 ? "Notifications" : `Notifications (${n} new)`),
    notificationsTitle: "Notifications",
    noNotifications: "No notifications yet.",
    closeNotifications: "Close notifications",
    signedOut: "You are signed out.",
  },

  blade: {
    close: (title: string) => `Close ${title}`,
    commands: "Commands",
  },

  common: {
    copy: "Copy",
    copied: "Copied to the clipboard.",
    copyFailed: "Could not copy automatically. Select the text and press Ctrl+C (Cmd+C on a Mac).",
    cancel: "Cancel",
    close: "Close",
    refresh: "Refresh",
    retry: "Try again",
    yes: "Yes",
    no: "No",
    loading: "Loading…",
    working: "Working…",
    opensInBrowser: "(opens in your browser)",
    linkFailed: "The link could not be opened.",
  },

  error: {
    title: "Something went wrong",
    internal: "Something went wrong inside ADO Connect.",
    internalRemedy: "Try again. If it happens again, send the log file to your IT desk.",
    signInFailed: "The sign-in did not finish.",
    /** The labels of the "Copy details" text; the same words as the CLI prints. */
    details: {
      error: "Error",
      code: "Code",
      aadsts: "AADSTS",
      httpStatus: "HTTP status",
      endpoint: "Endpoint",
      correlationId: "Correlation ID",
      traceId: "Trace ID",
      time: "Time",
      app: "ADO Connect",
    },
    whatToDo: "What to do:",
    copyDetails: "Copy details",
    detailsCopied: "Details copied. They contain the error code, the time and the correlation ID, never a password or token.",
    help: "Read more about this problem",
    code: (code: string) => `Error code: ${code}`,
  },

  activity: {
    signedIn: (name: string, email: string) => `Signed in as ${name} (${email}).`,
    remembered: (name: string) => `Signed in as ${name} (remembered from last time).`,
    signedOut: "Signed out.",
    signedInWork: (name: string, email: string, dir: string) => `Signed in with the work account ${name} (${email}) from ${dir}.`,
    invitationSignedIn: (email: string, org: string) => `${email} signed in to ${org} for the first time.`,
    reportSaved: "Saved the report.",
  },

  keychain: {
    title: "Your sign-in will not be remembered",
    fallback:
      "This computer has no keychain that ADO Connect can use, so you will need to sign in again next time. Everything else works.",
  },

  welcome: {
    title: `Connect your Azure DevOps organization to ${ENTRA}`,
    intro:
      "This wizard follows the same steps as the old Azure portal procedure, and does the follow-up work for you. It changes nothing until you confirm.",
    termsTitle: "Words used here",
    terms: [
      [
        "Organization",
        "Your Azure DevOps organization: the place where your team's projects, code and work items live (at dev.azure.com/your-name). It used to be called a Visual Studio Team Services account.",
      ],
      [
        "Directory",
        `Your company's list of people and their work accounts, kept in ${ENTRA}. Also called a tenant.`,
      ],
      [
        "Personal Microsoft account",
        "An account you made yourself with an e-mail address, such as an Outlook.com, Hotmail or Live address. Your organization was created with one.",
      ],
      [
        "Work account",
        "An account your company gives you, such as name@yourcompany.com, kept in your company's directory. Also called a work or school account.",
      ],
    ] as [string, string][],
    stepsTitle: "The steps",
    steps: [
      "Sign in with the personal Microsoft account that owns the organization.",
      'Open "All services" and type "Team Services" in the filter.',
      `Open "${ORGS_SERVICE}".`,
      "Select your organization.",
      "Choose Connect, pick your company's directory, and let ADO Connect check that it can be done.",
      "Choose Yes to confirm.",
      'Wait for the notification "Your organization is now connected".',
      "After connecting: sign in with your work account, invite your colleagues, clean the Git credential caches on this computer, and create a personal access token for tools that used alternate credentials.",
    ],
    start: "Start",
    continueAs: (name: string) => `You are signed in as ${name}. Start goes straight to All services.`,
  },

  signIn: {
    title: "Sign in with your personal Microsoft account",
    intro:
      "Sign in as the owner of the organization. That is usually the personal Microsoft account you created it with.",
    accountTypesSummary: "Work or school account, or personal account: which one?",
    accountTypes:
      "A personal Microsoft account is one you created yourself (Outlook.com, Hotmail, Live, or your own e-mail address). A work or school account is given to you by your company or school. Until the organization is connected, it belongs to your personal account, so use that one here. If the sign-in page asks which kind, choose Personal account.",
    starting: "Getting a sign-in code…",
    step1: "1. Copy this code:",
    codeLabel: "Your sign-in code",
    copyAndOpen: "Copy code and open the sign-in page",
    copyOnly: "Copy code",
    openOnly: "Open the sign-in page",
    step2: (uri: string) => `2. On the sign-in page (${uri}), paste the code, sign in, and approve.`,
    copiedCode: "Code copied. Paste it on the sign-in page.",
    copyCodeFailed: "The code could not be copied automatically. Type it on the sign-in page instead.",
    expiresIn: (mmss: string) => `The code expires in ${mmss}.`,
    expired: "The code has expired.",
    waiting: "Waiting for you to approve the sign-in in your browser…",
    slowDown: "Still waiting. Microsoft asked ADO Connect to check less often.",
    signedIn: (name: string, email: string) => `Signed in as ${name} (${email}).`,
    continue: "Continue",
    cancel: "Cancel sign-in",
    newCode: "Get a new code",
    useBrowser: "Sign in with the browser instead",
    browserWaiting: "Finish signing in in your browser. This window will update when you are done.",
    blockedTitle: "Your company's policy blocks this way of signing in",
    blockedText:
      "Your company's security settings do not allow sign-in with a code. You can still sign in through your web browser, which they allow.",
    cancelled: "Sign-in cancelled.",
    /** The second sign-in, after connecting: the work account, against the directory. */
    work: {
      title: "Sign in with your work account",
      why: "After connecting, Azure DevOps expects you to sign in with your Microsoft Entra work account.",
      intro: (dir: string) =>
        `Use the work account your company gave you in ${dir} (such as name@yourcompany.com), not your personal Microsoft account.`,
      accountTypesSummary: "Which account is my work account?",
      accountTypes:
        "A work account is given to you by your company and kept in its directory; it usually ends with your company's domain. If the sign-in page offers both, choose Work or school account. Your personal Microsoft account (Outlook.com, Hotmail, Live) is not the one to use here.",
      signedIn: (name: string, email: string, dir: string) => `Signed in with your work account: ${name} (${email}), from ${dir}.`,
      cancel: "Cancel and go back to the checklist",
    },
  },

  resume: {
    title: "Welcome back",
    /** On Home, signed out: the checklist or the connect blade waits behind a sign-in. */
    connectedSignedOut: (org: string, dir: string) =>
      `Last time you connected ${org} to ${dir}. Sign in to carry on with what is left to do after connecting.`,
    directorySignedOut: (org: string, dir: string) =>
      `Last time you were connecting ${org} to ${dir}, and it is not connected yet. Sign in to carry on.`,
    continue: "Sign in and carry on",
    /** On the checklist: the saved "connected" was read back from Azure DevOps at start. */
    connected: (org: string, dir: string) =>
      `${org} is connected to ${dir}: ADO Connect checked with Azure DevOps just now. If ADO Connect was closed while it was connecting, the connection went through.`,
    connecting: (org: string, dir: string) =>
      `ADO Connect was closed while connecting ${org} to ${dir}, and Azure DevOps does not show the result yet. Refresh the organization in a few minutes.`,
    /** On the connect blade: the saved connect did not happen (read back at start). */
    notConnected: (org: string, dir: string) =>
      `Last time, connecting ${org} to ${dir} did not finish: Azure DevOps shows that ${org} is not connected to it (checked just now), so nothing changed. You can connect again here.`,
    failed: "ADO Connect could not check where you left off last time",
    someDirectory: "the directory you chose",
    invitedAt: (date: string) => `Invited ${date}`,
  },

  services: {
    title: "All services",
    filterLabel: "Filter services",
    filterPlaceholder: "Filter services",
    count: (n: number, q: string) =>
      q ? `${plural(n, "service matches", "services match")} "${q}".` : `${plural(n, "service", "services")}.`,
    none: "No services match. Try \"Team Services\" or \"DevOps\".",
    categories: { devops: "DevOps", identity: "Identity", billing: "Billing", wizard: "ADO Connect" } as Record<string, string>,
    items: {
      orgs: {
        name: ORGS_SERVICE,
        description: "The organizations you own or belong to. Select one to connect it to a directory.",
      },
      entra: {
        name: ENTRA,
        description: "Your company's directory of work accounts.",
      },
      subscriptions: {
        name: "Subscriptions",
        description: "Azure subscriptions, used for billing an organization.",
      },
      vs: {
        name: "Visual Studio subscriptions",
        description: "Link your work account to your Visual Studio subscription.",
      },
      after: {
        name: "After connecting",
        description: "Work account sign-in, invitations, Git Credential Manager cleanup, personal access tokens.",
      },
      report: {
        name: "Report",
        description: "What ADO Connect did, to save or send to your IT desk.",
      },
    },
  },

  orgs: {
    title: ORGS_SERVICE,
    filterLabel: "Filter by name",
    sortLabel: "Sort by",
    sortOptions: {
      "name-asc": "Name (A to Z)",
      "name-desc": "Name (Z to A)",
      directory: "Current directory",
      role: "Your role",
    } as Record<string, string>,
    caption: "Your organizations",
    count: (shown: number, total: number) =>
      shown === total
        ? `${plural(total, "organization", "organizations")}.`
        : `${shown.toLocaleString("en")} of ${plural(total, "organization", "organizations")} shown.`,
    columns: { name: "Name", url: "URL", directory: "Current directory", role: "Your role" },
    owner: "Owner",
    member: "Member",
    unknownDirectory: "Unknown",
    loading: "Loading your organizations…",
    empty:
      "You do not own or belong to any organization with this account. Check that you signed in with the personal Microsoft account that owns it.",
    noMatch: "No organization matches the filter.",
  },

  org: {
    subtitle: "Azure DevOps organization",
    loading: "Loading the organization…",
    connect: "Connect",
    changeDirectory: "Change directory",
    refresh: "Refresh",
    cleanGit: "Clean Git caches",
    openInBrowser: "Open in browser",
    overview: "Overview",
    owner: "Owner",
    yourRole: "Your role",
    directory: "Current directory",
    billing: "Billing",
    billingLinked: (sub?: string) =>
      sub ? `Linked to the Azure subscription ${sub}.` : "Linked to an Azure subscription.",
    billingNotLinked: "Not set up. Free use works without it.",
    billingLink: "Open billing settings",
    users: "Users",
    url: "URL",
    notOwner:
      "You are a member of this organization, not its owner. Only the owner or a Project Collection Administrator can connect it to a directory.",
    verified: (dir: string) => `Connected to ${dir}, verified by reading the organization back.`,
    disconnect: "Disconnect",
  },

  /** Disconnecting a connected organization from its directory (the all-zero directory). */
  disconnect: {
    title: (org: string, dir: string) => `Disconnect ${org} from ${dir}?`,
    intro: (org: string, dir: string) =>
      `${org} stops using the work accounts from ${dir}. Azure DevOps allows this only when all of the following are true:`,
    prerequisites: [
      "You are the owner of the organization.",
      "You are signed in with a personal Microsoft account (Outlook.com, Hotmail, Live, or your own e-mail address), not with a work account.",
      "That personal Microsoft account is also a Project Collection Administrator of the organization.",
    ],
    afterTitle: "What changes",
    after: (org: string, dir: string) => [
      `After disconnecting, people sign in to ${org} with personal Microsoft accounts. Members who only have a work account from ${dir} cannot sign in until they use a personal Microsoft account.`,
      "Microsoft Entra groups stop applying: the access that people had through them is gone.",
    ],
    notOwner: "You are not the owner of this organization, so Azure DevOps will refuse. Ask the owner to disconnect it.",
    workAccount: (email: string) =>
      `You are signed in with the work account ${email}. Azure DevOps refuses to disconnect for a work account: sign out, then sign in with the owner's personal Microsoft account.`,
    typeName: (org: string) => `Type the organization's name, ${org}, to confirm`,
    typeNameHint: "Disconnect becomes available when the name matches.",
    yes: "Disconnect",
    no: "Cancel",
    progressTitle: "Disconnecting",
    steps: {
      disconnecting: "Disconnecting the organization",
      verifying: "Checking that Microsoft shows personal Microsoft accounts (this can take a few minutes)",
      disconnected: "Disconnected",
    } as Record<string, string>,
    doneTitle: "Disconnected",
    done: (dir: string) => `Your organization is now disconnected from ${dir}.`,
    unverified: (dir: string) =>
      `Disconnecting from ${dir} was accepted, but Microsoft does not show it yet. It can take up to an hour; refresh the organization later.`,
    errorHint:
      "Azure DevOps allows disconnecting only for the owner, signed in with a personal Microsoft account that is also a Project Collection Administrator.",
    openEntraSettings: "Open the organization's Microsoft Entra settings in the browser",
    activity: (org: string, dir: string) => `Disconnected ${org} from ${dir}.`,
  },

  connect: {
    title: (org: string) => `Connect ${org} to a directory`,
    intro: (org: string) =>
      `Choose your company's directory. After connecting, people sign in to ${org} with their work accounts from it.`,
    chooseLegend: "Directory",
    loadingDirs: "Loading your directories…",
    noDirs:
      "Your personal Microsoft account is not a member of any directory yet. Enter your company's domain below, or ask your IT administrator to add you to the directory as a member.",
    /** Only a directory found from a typed domain gets a note; the rest show their domain. */
    foundByDomain: "Found by domain",
    currentDirectory: "The current directory",
    domainLabel: "Not listed? Enter your company's domain",
    domainHint: "For example contoso.com or contoso.onmicrosoft.com.",
    domainFind: "Find directory",
    domainFinding: "Looking up the domain…",
    domainInvalid: "Enter a domain such as contoso.com: letters, digits and hyphens, with a dot before the ending.",
    domainEmpty: "Enter a domain first.",
    domainFound: (name: string) => `Found ${name}. It has been added to the list and selected.`,
    checksTitle: "Checks before connecting",
    checksChoose: "Choose a directory to run the checks.",
    checking: "Checking…",
    status: { pass: "Passed", warn: "Warning", fail: "Failed" } as Record<string, string>,
    affected: (n: number) => `Show the ${plural(n, "person", "people")} affected`,
    blocked: "Connect is not available until every failed check is fixed.",
    submit: "Connect",
    cancel: "Cancel",
    confirmTitle: (org: string, dir: string) => `Connect ${org} to ${dir}?`,
    confirmText: (dir: string) =>
      `People will sign in with their work accounts from ${dir}. Members who use personal Microsoft accounts will need to be matched to work accounts afterwards, and any Microsoft Entra group memberships in the organization are dropped.`,
    /** Already connected: the same blade changes the directory. */
    changeTitle: (org: string) => `Change the directory of ${org}`,
    changeIntro: (org: string, from: string) =>
      `${org} is connected to ${from}. Choose the directory to move it to. After the change, people sign in to ${org} with their work accounts from the new directory.`,
    changeSubmit: "Change directory",
    changeBlocked: "Change directory is not available until every failed check is fixed.",
    changeConfirmTitle: (org: string, from: string, to: string) => `Change ${org} from ${from} to ${to}?`,
    changeConfirmText: (from: string, to: string) =>
      `People will sign in with their work accounts from ${to} instead of ${from}. Microsoft Entra group memberships and group rules in the organization are dropped when the directory changes: add the groups from ${to} again afterwards. Members whose accounts are not in ${to} will need to be matched to work accounts there.`,
    changeProgressTitle: "Changing the directory",
    progressTitle: "Connecting",
    steps: {
      connecting: "Connecting the organization",
      verifying: "Checking that Microsoft shows the new directory (this can take a few minutes)",
      connected: "Connected",
    } as Record<string, string>,
    stepState: { todo: "not started", active: "in progress", done: "done", failed: "failed" } as Record<string, string>,
    connectedNotice: (dir: string) => `Your organization is now connected to ${dir}.`,
    connectedTitle: "Connected",
    unverified: (dir: string) =>
      `The change to ${dir} was accepted, but Microsoft does not show it yet. It can take up to an hour; refresh the organization later.`,
    next: "Next: after connecting",
    openEntraSettings: "Open the organization's Microsoft Entra settings in the browser",
    activity: (org: string, dir: string) => `Connected ${org} to ${dir}.`,
  },

  after: {
    title: "After connecting",
    intro: "What is left to do, in order. Each item shows whether it is done.",
    orgLabel: "Organization",
    noOrgs: "Connect an organization first. This checklist is about an organization you own.",
    goToOrgs: "Go to the organizations",
    state: { done: "Done", todo: "To do", na: "Not applicable" } as Record<string, string>,
    workSignIn: {
      title: "Sign in with your work account",
      why: "After connecting, Azure DevOps expects you to sign in with your Microsoft Entra work account.",
      text: (dir: string) =>
        `Sign in again here with your work account from ${dir}; from now on use it, not your personal Microsoft account, for this organization.`,
      button: "Sign in with your work account",
      signedInAs: (email: string) => `Signed in as ${email}.`,
      done: (email: string, dir: string) => `Signed in with the work account ${email} from ${dir}.`,
    },
    members: {
      title: "Members who still use personal accounts",
      text: "Members marked Disconnected still sign in with a personal Microsoft account. Match them to work accounts on the organization's Users page.",
      loading: "Loading members…",
      caption: "Members of the organization",
      columns: { name: "Name", email: "E-mail", account: "Account", access: "Access level", status: "Status" },
      origin: { msa: "Personal Microsoft account", aad: "Work account" } as Record<string, string>,
      disconnected: "Disconnected",
      ok: "OK",
      none: "Everyone uses a work account. Nothing to resolve.",
      countDisconnected: (n: number) => `${plural(n, "member is", "members are")} disconnected.`,
      usersPage: "Open the Users page",
    },
    invite: {
      title: "Invite a colleague from the directory",
      text: "Invite someone with their work e-mail address, then watch until they have signed in for the first time.",
      email: "Work e-mail address",
      emailInvalid: "Enter an e-mail address such as name@contoso.com.",
      access: "Access level",
      stakeholder: "Stakeholder: free, can view and edit work items",
      basic: "Basic: code, pipelines and boards (a paid seat after the first five users)",
      submit: "Invite",
      inviting: "Sending the invitation…",
      listLabel: "Invitations",
      states: {
        invited: "Invited",
        waiting: "Waiting for the first sign-in",
        "signed-in": "Signed in",
      } as Record<string, string>,
      check: "Check now",
      /** Starts with the visible text, so speech-input users can say what they see. */
      checkNow: (email: string) => `Check now: ${email}`,
      activity: (email: string, level: string) => `Invited ${email} (${level}).`,
    },
    gcm: {
      title: "Clean the Git credential caches on this computer",
      bladeTitle: (org: string) => `Clean Git caches for ${org}`,
      text:
        "Git Credential Manager remembers which directory your organization used. Until that is forgotten, Git keeps asking the old one. Nothing changes until you choose Clean, and a backup is kept.",
      optionsLegend: "Optional, off unless you choose them",
      /** [id, label, one-sentence explanation] of each GcmChoices field. */
      choices: {
        wholeLegacyFile: [
          "gcm-whole-file",
          "Delete the whole old-style cache file (tenant.cache), not only this organization's entries",
          "This is Microsoft's advice for the old Git Credential Manager for Windows; it forgets every organization on this computer, and Git fills the file in again the next time it signs in.",
        ],
        unbindUsername: [
          "gcm-unbind",
          "Also forget which account Git uses for this organization",
          "Git then asks which account to use the next time, so you can pick your work account.",
        ],
        rejectSavedPassword: [
          "gcm-reject-password",
          "Also ask Git to forget a password it saved for this organization",
          "Choose this if Git keeps signing in with an old password or token; Git cannot tell beforehand whether one is saved.",
        ],
      } as Record<"wholeLegacyFile" | "unbindUsername" | "rejectSavedPassword", [string, string, string]>,
      preview: "Show what will change",
      previewing: "Looking at the caches on this computer…",
      foundTitle: "What ADO Connect found on this computer",
      legacy: "Old-style cache (Git Credential Manager for Windows)",
      legacyStatus: {
        missing: "Not on this computer, so there is nothing to clean in it.",
        "empty-file": "There, but empty, so there is nothing to clean in it.",
        readable: "There and readable.",
        unusable: "There, but ADO Connect cannot use it.",
      } as Record<string, string>,
      entries: (n: number) => `${plural(n, "entry", "entries")} in the file, of every organization.`,
      gitConfig: "Git's global settings (Git Credential Manager)",
      gitSettings: (n: number, orgs: string) => `${plural(n, "setting", "settings")} for ${orgs}.`,
      gitNotChecked: "Not looked at: no organization was chosen.",
      gitProgram: (git: string) => `Git program: ${git}`,
      path: "File",
      planTitle: "What will change",
      noChanges: "No change is needed.",
      kinds: {
        "remove-legacy-entry": "Remove an entry from the old-style cache file",
        "remove-legacy-file": "Delete the whole old-style cache file (a backup is kept)",
        "unset-git-config": "Remove a setting from Git's global settings",
        "reject-saved-password": "Ask Git to forget a saved password",
      } as Record<string, string>,
      fields: {
        org: "Organization",
        target: "Where",
        key: "Key",
        address: "Address",
        oldValue: "Current value",
        note: "Note",
      },
      problemsTitle: "Problems",
      problemSource: {
        "legacy-cache": "Old-style cache",
        "git-config": "Git's global settings",
        "saved-password": "Saved password",
      } as Record<string, string>,
      problemsText: "These stop part of the cleanup; the rest can still be done.",
      summary: (changes: number, problems: number) =>
        `${plural(changes, "change", "changes")} planned${problems ? `, ${plural(problems, "problem", "problems")}` : ""}.`,
      nothing: "Nothing to clean: the caches on this computer do not mention this organization.",
      apply: "Clean",
      applying: "Cleaning…",
      resultTitle: "Result",
      statuses: {
        done: "Done",
        "already-clean": "Already clean",
        requested: "Asked Git to forget it",
        failed: "Failed",
      } as Record<string, string>,
      resultSummary: (done: number, clean: number, requested: number, failed: number) =>
        [
          `${plural(done, "change", "changes")} made`,
          clean ? `${clean.toLocaleString("en")} already clean` : "",
          requested ? `${requested.toLocaleString("en")} asked of Git` : "",
          failed ? `${failed.toLocaleString("en")} failed` : "",
        ]
          .filter(Boolean)
          .join(", ") + ".",
      backupsTitle: "Backups",
      backupsText: "A copy of each file was saved before it was changed. Undo puts it back.",
      noBackups: "No file was changed, so no backup was needed.",
      backupOf: (target: string) => `Backup of ${target}:`,
      undo: "Undo",
      undoLabel: (target: string) => `Undo: put ${target} back from its backup`,
      undoing: "Putting the file back…",
      restored: (file: string, from: string) => `Put back: ${file} now holds what it held before (from ${from}).`,
      restoredSame: (file: string) => `Nothing to put back: ${file} already held what the backup holds.`,
      replacedKept: (path: string) => `The file it replaced was saved as ${path}, in case you change your mind.`,
      fleet: "For other computers, your IT desk can run this command on each one:",
      activity: (n: number) => `Cleaned ${plural(n, "Git credential cache entry", "Git credential cache entries")} on this computer.`,
      activityUndo: (file: string) => `Undid the Git credential cache cleanup of ${file}.`,
    },
    pat: {
      title: "A personal access token for tools that used alternate credentials",
      text:
        "Alternate credentials (a user name and password just for Git) stopped working in 2020. Tools that used them need a personal access token instead.",
      name: "Token name",
      defaultName: "Git and tools",
      scopesLegend: "What the token may do",
      /** The values are core's PatScope names; the first is the default (least privilege). */
      scopes: [
        ["code-read", "Read code (clone and fetch with Git)"],
        ["code-write", "Read and change code (push with Git)"],
        ["work-items-read", "Read work items"],
        ["build-read", "Read pipelines and builds"],
        ["packaging-read", "Read packages"],
      ] as [string, string][],
      scopesHint: "Choose as little as the tool needs.",
      scopesNone: "Choose at least one thing the token may do.",
      days: "Valid for (days)",
      daysInvalid: "Enter a number of days from 1 to 365.",
      nameInvalid: "Enter a name, so you can recognise the token later.",
      submit: "Create token",
      creating: "Creating the token…",
      resultTitle: "Your new token",
      showOnce: "Copy it now. It is shown only once and ADO Connect does not keep it.",
      tokenLabel: "Personal access token",
      copy: "Copy token",
      validTo: (date: string) => `Valid until ${date}.`,
      whereTitle: "Where it goes",
      where:
        "When Git asks for a password for dev.azure.com, paste the token instead (any user name works). In other tools, paste it where the alternate credentials password used to be.",
      done: "I have stored it",
      cleared: "The token has been removed from the screen.",
      activity: (name: string) => `Created the personal access token "${name}".`,
    },
    vs: {
      title: "Visual Studio subscriptions",
      text:
        "If you have a Visual Studio subscription under your personal Microsoft account, it keeps working only if the e-mail addresses match. Otherwise ask your subscription administrator to reassign it to your work account, or add your work account as an alternate account.",
      link: "Open Visual Studio subscriptions",
      markDone: "I have checked this",
    },
    next: {
      title: "Next",
      users: "Manage users and their access",
      groups: "Manage access with Microsoft Entra groups",
    },
    report: "Save report…",
  },

  report: {
    title: "Report",
    intro:
      "ADO Connect keeps a record of what it did and when: sign-ins, checks, the connection, invitations, cache cleanup, and tokens (by name only). Save it as a file to keep or to send to your IT desk.",
    sessionTitle: "Done in this session",
    empty: "Nothing yet.",
    save: "Save report",
    saving: "Saving the report…",
    saved: "The report was saved:",
    json: "For programs (JSON):",
    text: "To read:",
  },

  about: {
    title: "About and settings",
    version: "Version",
    mode: "Mode",
    demo: "Demo, against the built-in simulator",
    live: "Microsoft's services",
    config: "Settings files in effect",
    noConfig: "Built-in defaults only.",
    proxy: "Proxy",
    enforced: SET_BY_ORG,
    noEnforced: "Nothing: your organization's IT desk has fixed no setting on this computer.",
    proxyInEffect: "In effect now:",
    proxyText:
      "ADO Connect uses the proxy your organization sets; otherwise the one you save here; otherwise this computer's proxy setting (the HTTPS_PROXY environment variable); otherwise it connects directly.",
    proxyEnforced: `${SET_BY_ORG}: your IT desk has fixed the proxy on this computer, so it cannot be changed here. Ask them if it needs to change.`,
    proxyLabel: "Your proxy",
    proxyPlaceholder: "http://proxy.contoso.com:8080",
    proxyHint:
      "Leave empty to use this computer's proxy setting (HTTPS_PROXY) or none. No user name or password: they would be kept as plain text in your settings file. A proxy that asks for them can be given through HTTPS_PROXY, or ask your IT desk. Saving takes effect at once; you stay signed in.",
    proxySave: "Save proxy",
    proxySaving: "Saving the proxy…",
    proxySaved: (inEffect: string) => `Proxy saved. In effect now: ${inEffect}.`,
    proxyRemoved: (inEffect: string) => `Your proxy was removed. In effect now: ${inEffect}.`,
    proxySaveFailed: "The proxy was not saved",
    /** Checked before saving; Rust checks again. Never repeats what was typed (it may hold a password). */
    proxyInvalid: {
      noScheme: "Enter the whole address, starting with http://, https:// or socks5://, for example http://proxy.contoso.com:8080.",
      notUrl: "This is not an address ADO Connect can use. Enter one such as http://proxy.contoso.com:8080.",
      spaces: "Remove the spaces from the address.",
      scheme: "Use a proxy address starting with http://, https://, socks5:// or socks5h://.",
      noHost: "Add the proxy's name after the //, for example http://proxy.contoso.com:8080.",
      credentials:
        "Remove the user name and password: ADO Connect does not keep them in the settings file. Enter only the address, such as http://proxy.contoso.com:8080.",
      path: "Enter only the proxy's address and port, such as http://proxy.contoso.com:8080, with nothing after the port.",
    },
    logs: "Logs folder",
    openLogs: "Open logs folder",
    logsOpened: "The logs folder was opened in your file manager.",
    account: "Account",
    notSignedIn: "Not signed in.",
    diagnostics: "Diagnostic summary",
    diagnosticsText:
      "For your IT desk when something does not work: the version, this computer's operating system, the settings files, and the last errors with their codes and correlation IDs. It never contains a password or a token. The box below shows exactly what is copied.",
    diagnosticsLabel: "Diagnostic summary to send",
    diagnosticsLoading: "Reading the diagnostic summary…",
    diagnosticsEmpty: "ADO Connect has nothing to report yet.",
    copyDiagnostics: "Copy diagnostic summary",
    diagnosticsCopied: "Diagnostic summary copied. Paste it into your message to your IT desk.",
    diagnosticsFailed: "The diagnostic summary could not be made",
  },

  update: {
    title: (version: string) => `ADO Connect ${version} is available`,
    notes: "What is new:",
    remedy: "Nothing to do now. ADO Connect does not install it by itself: your IT desk deploys new versions, or ask them for it.",
    dismiss: (version: string) => `Dismiss the notice about ADO Connect ${version}`,
  },
};

export function formatMmSs(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, "0")}`;
}

export function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleDateString("en", { year: "numeric", month: "long", day: "numeric" });
}

export function formatTime(d: Date): string {
  return d.toLocaleTimeString("en", { hour: "2-digit", minute: "2-digit" });
}
