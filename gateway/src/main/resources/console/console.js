// Meridian console: a Zenith client over WebSocket (trader view) and a reader of the admin API (operator view).
// No framework and no build step; served by the gateway itself.
'use strict';

const MAX_WATCHLIST = 12;
const LADDER_ROWS = 10;
const TAPE_ROWS = 30;
const HISTORY = 60;

const $ = (id) => document.getElementById(id);

function cell(text, className) {
    const td = document.createElement('td');
    td.textContent = text === null || text === undefined ? '' : String(text);
    if (className) {
        td.className = className;
    }
    return td;
}

function number(value) {
    return value === null || value === undefined ? '' : String(value);
}

// ---- Zenith connection ------------------------------------------------------------------------------------------

class Zenith {
    constructor(url, onStatus) {
        this.url = url;
        this.onStatus = onStatus;
        this.nextTransaction = 1;
        this.transactions = new Map();
        this.topics = new Map();
        this.socket = null;
    }

    open(token) {
        return new Promise((resolve, reject) => {
            const socket = new WebSocket(this.url, 'ZenithJson');
            this.socket = socket;
            socket.onopen = () => {
                this.request('Auth', 'AuthToken', { Provider: 'Bearer', AccessToken: token })
                    .then((data) => (data && data.Result === 'Success' ? resolve(data) : reject(new Error('token rejected'))),
                        reject);
            };
            socket.onmessage = (event) => this.receive(JSON.parse(event.data));
            socket.onclose = (event) => {
                this.onStatus('Disconnected (' + event.code + (event.reason ? ': ' + event.reason : '') + ')');
                reject(new Error('connection closed'));
            };
            socket.onerror = () => this.onStatus('Connection error');
        });
    }

    renew(token) {
        return this.request('Auth', 'AuthToken', { Provider: 'Bearer', AccessToken: token });
    }

    send(message) {
        if (this.socket && this.socket.readyState === WebSocket.OPEN) {
            this.socket.send(JSON.stringify(message));
        }
    }

    request(controller, topic, data) {
        const id = this.nextTransaction++;
        return new Promise((resolve, reject) => {
            this.transactions.set(id, { resolve, reject, errors: [] });
            const message = { Controller: controller, Topic: topic, Action: 'Publish', TransactionID: id };
            if (data !== undefined) {
                message.Data = data;
            }
            this.send(message);
        });
    }

    subscribe(controller, topic, handler) {
        this.topics.set(topic, handler);
        this.send({ Controller: controller, Topic: topic, Action: 'Sub', Confirm: true });
    }

    unsubscribe(controller, topic) {
        if (this.topics.delete(topic)) {
            this.send({ Controller: controller, Topic: topic, Action: 'Unsub', Confirm: false });
        }
    }

    receive(message) {
        const action = message.Action || 'Publish';
        if (message.TransactionID !== undefined && this.transactions.has(message.TransactionID)) {
            const transaction = this.transactions.get(message.TransactionID);
            if (action === 'Error') {
                transaction.errors.push(message.Data);
                return;
            }
            this.transactions.delete(message.TransactionID);
            if (transaction.errors.length > 0 && (message.Data === null || (Array.isArray(message.Data) &&
                message.Data.length === 0))) {
                transaction.reject(new Error(transaction.errors.join(', ')));
            } else {
                transaction.resolve(message.Data);
            }
            return;
        }
        const handler = this.topics.get(message.Topic);
        if (!handler) {
            return;
        }
        if (action === 'Error') {
            handler.error && handler.error(message.Data);
        } else if (action === 'Publish' && message.Data !== undefined) {
            handler.data(message.Data);
        } else if (action === 'Unsub') {
            this.topics.delete(message.Topic);
            handler.error && handler.error('closed by the server');
        }
    }
}

// ---- State ------------------------------------------------------------------------------------------------------

const state = {
    zenith: null,
    token: null,
    demoUser: null,
    securities: new Map(),
    marketFeeds: new Map(),
    selected: null,
    levels: new Map(),
    trades: [],
    accounts: new Map(),
    orders: new Map(),
    holdings: new Map(),
    balances: new Map(),
    amending: null,
    user: null,
    renewals: 0,
};

function setStatus(text) {
    $('status').textContent = text;
}

// ---- Sign in ----------------------------------------------------------------------------------------------------

async function demoToken(user) {
    const scope = 'zenith/market zenith/trading zenith/orderpad zenith/admin';
    const response = await fetch('/demo/token?user=' + encodeURIComponent(user) + '&scope=' + encodeURIComponent(scope),
        { method: 'POST' });
    if (!response.ok) {
        throw new Error('the demo issuer answered ' + response.status);
    }
    return response.json();
}

async function signIn(token) {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const zenith = new Zenith(scheme + '//' + location.host + '/Zenith?version=2.0', setStatus);
    const identity = await zenith.open(token);
    state.zenith = zenith;
    state.token = token;
    state.user = identity.DisplayName || identity.UserID;
    setStatus('Connected as ' + state.user);
    $('sign-in').hidden = true;
    showView('trader');
    startTrader();
    startOperator();
}

// Renew on the same socket at 80 % of the token's life, as any Zenith client does.
function renewLater(expiresInSeconds, fetchToken) {
    setTimeout(async () => {
        try {
            const renewed = await fetchToken();
            const answer = await state.zenith.renew(renewed.access_token);
            if (!answer || answer.Result !== 'Success') {
                throw new Error('the server did not accept the new token');
            }
            state.token = renewed.access_token;
            state.renewals++;
            setStatus('Connected as ' + state.user + ' (token renewed at ' + new Date().toLocaleTimeString() + ')');
            renewLater(renewed.expires_in, fetchToken);
        } catch (error) {
            setStatus('Token renewal failed: ' + error.message + '. Sign in again before the session expires.');
        }
    }, Math.max(5, expiresInSeconds * 0.8) * 1000);
}

async function startDemo(user) {
    const answer = await demoToken(user);
    await signIn(answer.access_token);
    renewLater(answer.expires_in, () => demoToken(user));
}

// ---- Sign-in at an identity provider: authorization code with PKCE, then refresh tokens -------------------------

function base64url(bytes) {
    let text = '';
    for (const b of bytes) {
        text += String.fromCharCode(b);
    }
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText(length) {
    const bytes = new Uint8Array(length);
    crypto.getRandomValues(bytes);
    return base64url(bytes);
}

async function discover(issuer) {
    const response = await fetch(issuer.replace(/\/$/, '') + '/.well-known/openid-configuration');
    if (!response.ok) {
        throw new Error('the identity provider\'s discovery document answered ' + response.status);
    }
    return response.json();
}

function redirectUri() {
    return location.origin + location.pathname;
}

async function tokenRequest(endpoint, form) {
    const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok || !body.access_token) {
        throw new Error(body.error_description || body.error || 'the token endpoint answered ' + response.status);
    }
    return body;
}

async function oidcSignIn(oidc) {
    const discovery = await discover(oidc.issuer);
    const verifier = randomText(48);
    const expected = randomText(24);
    sessionStorage.setItem('meridian.signin', JSON.stringify({ verifier, state: expected }));
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
    const url = new URL(discovery.authorization_endpoint);
    url.search = new URLSearchParams({
        response_type: 'code',
        client_id: oidc.clientId,
        redirect_uri: redirectUri(),
        scope: oidc.scope,
        state: expected,
        code_challenge: base64url(new Uint8Array(digest)),
        code_challenge_method: 'S256',
    }).toString();
    location.assign(url.toString());
}

// Back from the identity provider with ?code=…&state=… (or ?error=…): trade the code for tokens.
async function oidcReturn(oidc) {
    const params = new URLSearchParams(location.search);
    if (!params.has('code') && !params.has('error')) {
        return false;
    }
    const saved = JSON.parse(sessionStorage.getItem('meridian.signin') || '{}');
    sessionStorage.removeItem('meridian.signin');
    history.replaceState(null, '', location.pathname);
    if (params.has('error')) {
        throw new Error(params.get('error_description') || params.get('error'));
    }
    if (!saved.state || params.get('state') !== saved.state) {
        throw new Error('the answer from the identity provider is not for this sign-in (state differs)');
    }
    const discovery = await discover(oidc.issuer);
    const tokens = await tokenRequest(discovery.token_endpoint, {
        grant_type: 'authorization_code',
        code: params.get('code'),
        redirect_uri: redirectUri(),
        client_id: oidc.clientId,
        code_verifier: saved.verifier,
    });
    await signIn(tokens.access_token);
    let refreshToken = tokens.refresh_token;
    if (refreshToken) {
        renewLater(tokens.expires_in || 300, async () => {
            const renewed = await tokenRequest(discovery.token_endpoint, {
                grant_type: 'refresh_token',
                refresh_token: refreshToken,
                client_id: oidc.clientId,
            });
            refreshToken = renewed.refresh_token || refreshToken;
            return renewed;
        });
    }
    return true;
}

async function chooseSignIn() {
    const response = await fetch('/console/config.json');
    const config = await response.json();
    document.title = 'Meridian console: ' + config.name;
    if (config.demo) {
        $('demo-form').hidden = false;
        $('user').focus();
        return;
    }
    if (config.oidc) {
        $('oidc-issuer').textContent = config.oidc.issuer;
        $('oidc-form').addEventListener('submit', (event) => {
            event.preventDefault();
            oidcSignIn(config.oidc).catch((error) => {
                $('sign-in-error').textContent = 'Sign-in failed: ' + error.message;
            });
        });
        try {
            if (await oidcReturn(config.oidc)) {
                return;
            }
        } catch (error) {
            $('sign-in-error').textContent = 'Sign-in failed: ' + error.message;
        }
        $('oidc-form').hidden = false;
    }
    $('token-form').hidden = false;
}

$('demo-form').addEventListener('submit', (event) => {
    event.preventDefault();
    $('sign-in-error').textContent = '';
    startDemo($('user').value.trim()).catch((error) => {
        $('sign-in-error').textContent = 'Sign-in failed: ' + error.message;
    });
});

$('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    $('sign-in-error').textContent = '';
    signIn($('token').value.trim()).catch((error) => {
        $('sign-in-error').textContent = 'Sign-in failed: ' + error.message;
    });
});

// ---- Views ------------------------------------------------------------------------------------------------------

function showView(name) {
    for (const view of ['trader', 'operator']) {
        const selected = view === name;
        $('tab-' + view).setAttribute('aria-selected', String(selected));
        $('tab-' + view).tabIndex = selected ? 0 : -1;
        $('view-' + view).hidden = !selected || state.zenith === null;
    }
}

for (const view of ['trader', 'operator']) {
    $('tab-' + view).addEventListener('click', () => showView(view));
    $('tab-' + view).addEventListener('keydown', (event) => {
        if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
            const other = view === 'trader' ? 'operator' : 'trader';
            showView(other);
            $('tab-' + other).focus();
        }
    });
}

// ---- Trader view ------------------------------------------------------------------------------------------------

function startTrader() {
    const zenith = state.zenith;
    zenith.subscribe('Zenith', 'Feeds', {
        data: (feeds) => {
            const impaired = feeds.filter((feed) => feed.Status !== 'Active').map((feed) => feed.Name + ' ' + feed.Status);
            $('feeds-banner').hidden = impaired.length === 0;
            $('feeds-banner').textContent = impaired.length === 0 ? '' :
                'Feeds not active: ' + impaired.join(', ') + '. Prices shown may be stale.';
        },
    });
    zenith.subscribe('Market', 'Markets', {
        data: (markets) => {
            for (const market of markets) {
                state.marketFeeds.set(market.Code, market.Feed);
            }
            renderWatchlist();
        },
    });
    zenith.request('Market', 'SearchSymbols', { Count: MAX_WATCHLIST, FullSymbol: false }).then((symbols) => {
        for (const symbol of symbols) {
            const key = symbol.Code + '.' + symbol.Market;
            state.securities.set(key, { key, Code: symbol.Code, Market: symbol.Market, stale: false, changed: {} });
            zenith.subscribe('Market', 'Security!' + key, {
                data: (data) => updateSecurity(key, data),
                error: (code) => {
                    state.securities.get(key).stale = true;
                    renderWatchlist();
                    setStatus('Security ' + key + ': ' + code);
                },
            });
        }
        renderWatchlist();
        if (symbols.length > 0) {
            select(symbols[0].Code + '.' + symbols[0].Market);
        }
    }, (error) => setStatus('Symbol search failed: ' + error.message));
    zenith.subscribe('Trading', 'Accounts', { data: updateAccounts });
    zenith.subscribe('Trading', 'Orders', { data: updateOrders });
    zenith.subscribe('Trading', 'Holdings', { data: updateHoldings });
    zenith.subscribe('Trading', 'Balances', { data: updateBalances });
}

function updateSecurity(key, data) {
    const security = state.securities.get(key);
    security.changed = {};
    for (const [field, value] of Object.entries(data)) {
        if (security[field] !== value) {
            security.changed[field] = true;
        }
        security[field] = value;
    }
    security.stale = false;
    renderWatchlist();
}

function watchlistRow(security) {
    if (!security.row) {
        const row = document.createElement('tr');
        row.dataset.key = security.key;
        row.tabIndex = 0;
        row.append(cell(security.key), cell('', 'num'), cell('', 'num'), cell('', 'num'), cell('', 'num'), cell(''));
        row.addEventListener('click', () => select(security.key));
        row.addEventListener('keydown', (event) => {
            if (event.key === 'Enter' || event.key === ' ') {
                event.preventDefault();
                select(security.key);
            }
        });
        $('watchlist').tBodies[0].append(row);
        security.row = row;
    }
    return security.row;
}

function setCell(td, text, className, changed) {
    if (td.textContent !== text) {
        td.textContent = text;
    }
    td.className = className;
    if (changed) {
        // Restart the flash: drop the class, force a style pass, add it again.
        td.classList.remove('tick');
        void td.offsetWidth;
        td.classList.add('tick');
    }
}

function renderWatchlist() {
    for (const security of state.securities.values()) {
        const row = watchlistRow(security);
        const feed = state.marketFeeds.get(security.Market);
        const stale = security.stale || (feed !== undefined && feed !== 'Active');
        row.setAttribute('aria-selected', String(security.key === state.selected));
        row.classList.toggle('stale', stale);
        const cells = row.cells;
        const trend = security.Trend === 'Up' ? 'num up' : security.Trend === 'Down' ? 'num down' : 'num';
        setCell(cells[1], number(security.Last), trend, security.changed.Last);
        setCell(cells[2], number(security.BestBid), 'num', security.changed.BestBid);
        setCell(cells[3], number(security.BestAsk), 'num', security.changed.BestAsk);
        setCell(cells[4], number(security.Volume), 'num', false);
        setCell(cells[5], stale ? 'stale' : (security.TradingState || ''), '', false);
        security.changed = {};
    }
}

function select(key) {
    const zenith = state.zenith;
    if (state.selected === key) {
        return;
    }
    if (state.selected !== null) {
        zenith.unsubscribe('Market', 'Levels!' + state.selected);
        zenith.unsubscribe('Market', 'Trades!' + state.selected);
    }
    state.selected = key;
    state.levels.clear();
    state.trades = [];
    $('depth-symbol').textContent = key;
    $('trades-symbol').textContent = key;
    if (state.amending === null) {
        $('ticket-symbol').value = key;
        const security = state.securities.get(key);
        if (security && security.Last !== null && security.Last !== undefined) {
            $('ticket-price').value = security.Last;
        }
    }
    renderWatchlist();
    renderDepth();
    renderTrades();
    zenith.subscribe('Market', 'Levels!' + key, { data: (changes) => applyLevels(key, changes) });
    zenith.subscribe('Market', 'Trades!' + key, { data: (changes) => applyTrades(key, changes) });
}

function applyLevels(key, changes) {
    if (key !== state.selected) {
        return;
    }
    for (const change of changes) {
        if (change.O === 'C') {
            state.levels.clear();
        } else if (change.O === 'A') {
            state.levels.set(change.Level.ID, change.Level);
        } else if (change.O === 'U') {
            const level = state.levels.get(change.Level.ID);
            if (level) {
                Object.assign(level, change.Level);
            }
        } else if (change.O === 'R') {
            state.levels.delete(change.Level.ID);
        }
    }
    renderDepth();
}

function renderDepth() {
    const levels = [...state.levels.values()];
    const bids = levels.filter((level) => level.Side === 'Bid').sort((a, b) => b.Price - a.Price);
    const asks = levels.filter((level) => level.Side === 'Ask').sort((a, b) => a.Price - b.Price);
    const body = $('depth').tBodies[0];
    body.replaceChildren();
    for (let i = 0; i < LADDER_ROWS && (i < bids.length || i < asks.length); i++) {
        const bid = bids[i] || {};
        const ask = asks[i] || {};
        const row = document.createElement('tr');
        row.append(cell(number(bid.Count), 'num'), cell(number(bid.Volume), 'num'), cell(number(bid.Price), 'num'),
            cell(number(ask.Price), 'num'), cell(number(ask.Volume), 'num'), cell(number(ask.Count), 'num'));
        body.append(row);
    }
}

function applyTrades(key, changes) {
    if (key !== state.selected) {
        return;
    }
    for (const change of changes) {
        if (change.O === 'I') {
            state.trades = [];
            if (change.ID > 0) {
                const [code, market] = [key.substring(0, key.lastIndexOf('.')), key.substring(key.lastIndexOf('.') + 1)];
                state.zenith.request('Market', 'QueryTrades', { Market: market, Code: code, LastTradeID: change.ID,
                    Count: TAPE_ROWS }).then((history) => {
                    if (key === state.selected) {
                        const known = new Set(state.trades.map((trade) => trade.ID));
                        const older = history.map((record) => record.Trade).filter((trade) => !known.has(trade.ID));
                        state.trades = state.trades.concat(older.reverse());
                        renderTrades();
                    }
                }, (error) => setStatus('Trade history: ' + error.message));
            }
        } else if (change.O === 'A') {
            state.trades.unshift(change.Trade);
        } else if (change.O === 'U') {
            const index = state.trades.findIndex((trade) => trade.ID === change.Trade.ID);
            if (index >= 0) {
                state.trades[index] = change.Trade;
            }
        }
    }
    state.trades.length = Math.min(state.trades.length, TAPE_ROWS);
    renderTrades();
}

function renderTrades() {
    const body = $('trades').tBodies[0];
    body.replaceChildren();
    for (const trade of state.trades) {
        const row = document.createElement('tr');
        const time = typeof trade.Time === 'string' ? trade.Time.substring(11, 23) : '';
        row.append(cell(time), cell(number(trade.Price), trade.Trend === 'Up' ? 'num up' :
            trade.Trend === 'Down' ? 'num down' : 'num'), cell(number(trade.Quantity), 'num'),
            cell(trade.Side === 'Bid' ? 'buy' : trade.Side === 'Ask' ? 'sell' : ''));
        body.append(row);
    }
}

// ---- Accounts, orders, holdings, balances ------------------------------------------------------------------------

function updateAccounts(accounts) {
    for (const account of accounts) {
        state.accounts.set(account.ID, account);
    }
    const choice = $('ticket-account');
    const current = choice.value;
    choice.replaceChildren();
    for (const account of state.accounts.values()) {
        const option = document.createElement('option');
        option.value = account.ID;
        option.textContent = account.ID + ' (' + account.Name + ')';
        choice.append(option);
    }
    if (current) {
        choice.value = current;
    }
}

function updateOrders(changes) {
    for (const change of changes) {
        if (change.O === 'C') {
            for (const [id, order] of state.orders) {
                if (order.Account === change.Account) {
                    state.orders.delete(id);
                }
            }
        } else if (change.O === 'A' || change.O === 'U') {
            state.orders.set(change.Order.ID, change.Order);
        } else if (change.O === 'R') {
            state.orders.delete((change.Order || change).ID);
        }
    }
    renderOrders();
}

const orderRows = new Map();

function orderActions(order) {
    const actions = document.createElement('td');
    if (order.Status === 'Working' || order.Status === 'PartiallyFilled') {
        const amend = document.createElement('button');
        amend.type = 'button';
        amend.className = 'secondary';
        amend.textContent = 'Amend';
        amend.setAttribute('aria-label', 'Amend order ' + order.ID);
        amend.addEventListener('click', () => startAmend(state.orders.get(order.ID) || order));
        const cancel = document.createElement('button');
        cancel.type = 'button';
        cancel.className = 'secondary';
        cancel.textContent = 'Cancel';
        cancel.setAttribute('aria-label', 'Cancel order ' + order.ID);
        cancel.addEventListener('click', () => cancelOrder(state.orders.get(order.ID) || order));
        actions.append(amend, cancel);
    }
    return actions;
}

function renderOrders() {
    const body = $('orders').tBodies[0];
    for (const [id, row] of orderRows) {
        if (!state.orders.has(id)) {
            row.remove();
            orderRows.delete(id);
        }
    }
    for (const order of state.orders.values()) {
        const details = order.Details || {};
        const working = order.Status === 'Working' || order.Status === 'PartiallyFilled';
        let row = orderRows.get(order.ID);
        if (!row) {
            row = document.createElement('tr');
            row.dataset.order = order.ID;
            row.append(cell(order.ID), cell(order.Account), cell(''), cell(''), cell('', 'num'), cell('', 'num'),
                cell('', 'num'), cell(''), orderActions(order));
            row.dataset.working = String(working);
            body.prepend(row);
            orderRows.set(order.ID, row);
        }
        const cells = row.cells;
        setCell(cells[2], details.Code + '.' + details.Exchange, '', false);
        setCell(cells[3], details.Side === 'Bid' ? 'Buy' : 'Sell', '', false);
        setCell(cells[4], number(details.Quantity), 'num', false);
        setCell(cells[5], details.Type === 'Limit' ? number(details.LimitPrice) : details.Type, 'num', false);
        setCell(cells[6], number(order.ExecutedQuantity), 'num', false);
        setCell(cells[7], order.Status, '', false);
        if (row.dataset.working !== String(working)) {
            row.dataset.working = String(working);
            cells[8].replaceWith(orderActions(order));
        }
    }
}

function updateHoldings(changes) {
    for (const change of changes) {
        if (change.O === 'C') {
            for (const [key, holding] of state.holdings) {
                if (holding.Account === change.Account) {
                    state.holdings.delete(key);
                }
            }
        } else if (change.Holding) {
            const holding = change.Holding;
            const key = holding.Account + '/' + holding.Code + '.' + holding.Exchange;
            if (change.O === 'R') {
                state.holdings.delete(key);
            } else {
                state.holdings.set(key, holding);
            }
        }
    }
    const body = $('holdings').tBodies[0];
    body.replaceChildren();
    for (const holding of state.holdings.values()) {
        const row = document.createElement('tr');
        row.append(cell(holding.Account), cell(holding.Code + '.' + holding.Exchange),
            cell(number(holding.TotalQuantity), 'num'), cell(number(holding.AveragePrice), 'num'));
        body.append(row);
    }
}

function updateBalances(balances) {
    for (const balance of balances) {
        if (balance.Type === '') {
            for (const [key, held] of state.balances) {
                if (held.Account === balance.Account) {
                    state.balances.delete(key);
                }
            }
        } else {
            state.balances.set(balance.Account + '/' + balance.Type + '/' + balance.Currency, balance);
        }
    }
    const body = $('balances').tBodies[0];
    body.replaceChildren();
    for (const balance of state.balances.values()) {
        const row = document.createElement('tr');
        row.append(cell(balance.Account), cell(balance.Type),
            cell(number(balance.Amount) + ' ' + balance.Currency, 'num'));
        body.append(row);
    }
}

// ---- Order ticket -----------------------------------------------------------------------------------------------

function ticketDetails() {
    const key = $('ticket-symbol').value;
    const dot = key.lastIndexOf('.');
    const details = {
        Exchange: key.substring(dot + 1),
        Code: key.substring(0, dot),
        Side: $('ticket-side').value,
        Style: 'Market',
        Type: $('ticket-type').value,
        Quantity: Number($('ticket-quantity').value),
        Validity: 'UntilCancel',
    };
    if (details.Type === 'Limit') {
        details.LimitPrice = Number($('ticket-price').value);
    }
    return details;
}

function showResult(verb, answer) {
    const errors = answer.Errors && answer.Errors.length > 0 ? ' (' + answer.Errors.join(', ') + ')' : '';
    const order = answer.Order ? ' order ' + answer.Order.ID : '';
    $('ticket-result').textContent = verb + ': ' + answer.Result + order + errors;
}

$('ticket').addEventListener('submit', (event) => {
    event.preventDefault();
    const details = ticketDetails();
    const account = $('ticket-account').value;
    if (state.amending !== null) {
        const orderId = state.amending.ID;
        state.zenith.request('Trading', 'AmendOrder', { Account: state.amending.Account, OrderID: orderId,
            Details: details }).then((answer) => {
            showResult('Amend ' + orderId, answer);
            endAmend();
        }, (error) => {
            $('ticket-result').textContent = 'Amend ' + orderId + ' failed: ' + error.message;
        });
        return;
    }
    state.zenith.request('Trading', 'PlaceOrder', { Account: account, Details: details,
        Route: { Algorithm: 'Market', Market: details.Exchange } })
        .then((answer) => showResult('Place', answer),
            (error) => {
                $('ticket-result').textContent = 'Place failed: ' + error.message;
            });
});

function startAmend(order) {
    const details = order.Details || {};
    state.amending = order;
    $('ticket-account').value = order.Account;
    $('ticket-account').disabled = true;
    $('ticket-symbol').value = details.Code + '.' + details.Exchange;
    $('ticket-side').value = details.Side;
    $('ticket-side').disabled = true;
    $('ticket-type').value = details.Type === 'Limit' ? 'Limit' : 'Market';
    $('ticket-quantity').value = details.Quantity;
    $('ticket-price').value = number(details.LimitPrice);
    $('ticket-submit').textContent = 'Amend ' + order.ID;
    $('ticket-reset').hidden = false;
    $('ticket-quantity').focus();
}

function endAmend() {
    state.amending = null;
    $('ticket-account').disabled = false;
    $('ticket-side').disabled = false;
    $('ticket-submit').textContent = 'Place';
    $('ticket-reset').hidden = true;
    if (state.selected !== null) {
        $('ticket-symbol').value = state.selected;
    }
}

$('ticket-reset').addEventListener('click', endAmend);

function cancelOrder(order) {
    state.zenith.request('Trading', 'CancelOrder', { Account: order.Account, OrderID: order.ID })
        .then((answer) => showResult('Cancel ' + order.ID, answer),
            (error) => {
                $('ticket-result').textContent = 'Cancel ' + order.ID + ' failed: ' + error.message;
            });
}

// ---- Operator view ----------------------------------------------------------------------------------------------

const cards = new Map();

function card(id, title) {
    if (!cards.has(id)) {
        const element = document.createElement('section');
        element.className = 'card';
        element.id = 'card-' + id;
        const heading = document.createElement('h3');
        heading.textContent = title;
        const value = document.createElement('p');
        value.className = 'value';
        const canvas = document.createElement('canvas');
        canvas.setAttribute('aria-hidden', 'true');
        element.append(heading, value, canvas);
        $('cards').append(element);
        cards.set(id, { value, canvas, history: [] });
    }
    return cards.get(id);
}

function show(id, title, text, point, className) {
    const entry = card(id, title);
    entry.value.textContent = text;
    entry.value.className = 'value' + (className ? ' ' + className : '');
    if (point !== undefined && point !== null && Number.isFinite(point)) {
        entry.history.push(point);
        if (entry.history.length > HISTORY) {
            entry.history.shift();
        }
    }
    entry.canvas.dataset.points = String(entry.history.length);
    drawSparkline(entry.canvas, entry.history);
}

function drawSparkline(canvas, values) {
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || 200;
    const height = canvas.clientHeight || 40;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const context = canvas.getContext('2d');
    context.scale(ratio, ratio);
    context.clearRect(0, 0, width, height);
    if (values.length < 2) {
        return;
    }
    const max = Math.max(...values, 1e-9);
    context.strokeStyle = '#1f5fbf';
    context.lineWidth = 1.5;
    context.beginPath();
    // The newest point at the right edge, one step per second to the left.
    const offset = HISTORY - values.length;
    values.forEach((value, i) => {
        const x = ((offset + i) / (HISTORY - 1)) * width;
        const y = height - 2 - (value / max) * (height - 4);
        if (i === 0) {
            context.moveTo(x, y);
        } else {
            context.lineTo(x, y);
        }
    });
    context.stroke();
}

let previous = null;

async function admin(path) {
    const response = await fetch(path, { headers: { Authorization: 'Bearer ' + state.token } });
    if (response.status === 401 || response.status === 403) {
        throw new Error('the operator view needs a token with zenith/admin (' + response.status + ')');
    }
    if (!response.ok) {
        throw new Error(path + ' answered ' + response.status);
    }
    return response.json();
}

async function pollCounters() {
    const answer = await admin('/admin/counters');
    const now = new Map(answer.counters.map((counter) => [counter.name, counter.value]));
    const at = answer.timeMs;
    const value = (name) => now.get(name) || 0;
    const rate = (names) => {
        if (previous === null || at <= previous.at) {
            return null;
        }
        const delta = names.reduce((sum, name) => sum + value(name) - (previous.values.get(name) || 0), 0);
        return delta * 1000 / (at - previous.at);
    };
    const link = (name) => (now.has(name) ? (value(name) === 1 ? 'up' : 'down') : 'off');
    const feed = link('upstream.up');
    show('feed', 'Feed link', feed, feed === 'up' ? 1 : 0, feed === 'up' ? 'up' : 'down');
    const trading = link('trading.up');
    show('trading', 'Trading link', trading, trading === 'up' ? 1 : 0, trading === 'up' ? 'up' : trading === 'off' ? '' : 'down');
    const live = value('engine.items state=live');
    show('items', 'Items cached (live / stale / pending)', live + ' / ' + value('engine.items state=stale') + ' / ' +
        value('engine.items state=pending'), live);
    show('sessions', 'Sessions', String(value('sessions')), value('sessions'));
    const updatesIn = rate(['engine.security-updates', 'engine.depth-updates', 'engine.level-updates',
        'engine.trade-updates', 'engine.trading-updates']);
    show('in', 'Updates in per second', updatesIn === null ? '…' : Math.round(updatesIn).toLocaleString(), updatesIn);
    const updatesOut = rate(['sessions.frames-out']);
    show('out', 'Updates out per second', updatesOut === null ? '…' : Math.round(updatesOut).toLocaleString(), updatesOut);
    const slow = value('engine.slow-consumer-resyncs') + value('engine.overflowed-sessions');
    show('slow', 'Slow-consumer events', String(slow), rate(['engine.slow-consumer-resyncs', 'engine.overflowed-sessions']),
        slow > 0 ? 'down' : '');
    if (now.has('http-cache.requests result=hit')) {
        const hits = value('http-cache.requests result=hit');
        const total = hits + value('http-cache.requests result=miss');
        const ratio = total === 0 ? null : hits / total;
        show('http', 'HTTP cache hit ratio', ratio === null ? 'no requests' : (100 * ratio).toFixed(1) + ' %', ratio);
    } else {
        show('http', 'HTTP cache hit ratio', 'off (no origin set)', null);
    }
    const links = value('downstream.links');
    const sent = rate(['downstream.messages']);
    show('downstream', 'Downstream proxies (links / items, messages per second)', links + ' / ' +
        value('downstream.subscriptions') + ', ' + (sent === null ? '…' : Math.round(sent).toLocaleString()), links);
    previous = { at, values: now };
}

async function pollSessions() {
    const answer = await admin('/admin/sessions');
    const body = $('sessions').tBodies[0];
    body.replaceChildren();
    for (const session of answer.sessions) {
        const row = document.createElement('tr');
        row.append(cell(session.id), cell(session.user), cell(session.peer), cell(session.connectedAt),
            cell(number(session.outboxBytes), 'num'));
        body.append(row);
    }
}

function startOperator() {
    const tick = () => {
        Promise.all([pollCounters(), pollSessions()]).then(() => {
            $('operator-error').textContent = '';
        }, (error) => {
            $('operator-error').textContent = error.message;
        });
    };
    tick();
    setInterval(tick, 1000);
}

chooseSignIn().catch((error) => {
    $('sign-in-error').textContent = 'Cannot reach Meridian: ' + error.message;
});
