// The Vltava console: one page, a view per URL hash (#/topics, #/groups/ID, ...), data from /api/.
// Every value from the cluster goes into the page as text (el() below), never as HTML.

const view = document.getElementById('view');
let renderCount = 0;
let charts = [];

// ---- small helpers ---------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

async function api(path, options = {}) {
  const init = { method: options.method || 'GET', headers: {} };
  if (options.body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  const response = await fetch('/api/' + path, init);
  const body = await response.json().catch(() => ({ error: 'not JSON (HTTP ' + response.status + ')' }));
  if (!response.ok) throw Object.assign(new Error(body.error || 'HTTP ' + response.status), { status: response.status });
  return body;
}

const enc = encodeURIComponent;
const number = n => (n === null || n === undefined) ? '–' : Number(n).toLocaleString('en-US');

function bytes(n) {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return (unit === 0 ? value : value.toFixed(1)) + ' ' + units[unit];
}

// Rates in decimal units (kB/s = 1000 B/s), so the charts' round tick values stay round.
function rate(n, unit) {
  if (n === null || n === undefined) return '–';
  const prefixes = ['', 'k', 'M', 'G'];
  let value = n;
  let prefix = 0;
  while (unit === 'B' && value >= 1000 && prefix < prefixes.length - 1) { value /= 1000; prefix++; }
  const digits = value >= 100 || Number.isInteger(value) ? 0 : 1;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits }) + ' ' + prefixes[prefix] + unit + '/s';
}

function toast(message, bad = false) {
  const box = document.getElementById('toast');
  box.textContent = message;
  box.className = 'show' + (bad ? ' bad' : '');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.className = bad ? 'bad' : ''; }, bad ? 6000 : 3000);
}

function badge(text, kind) {
  return el('span', { class: 'badge ' + (kind || '') }, text);
}

function stateBadge(state) {
  const kinds = { Stable: 'ok', Empty: 'info', Dead: 'bad', PreparingRebalance: 'warn', CompletingRebalance: 'warn' };
  return badge(state, kinds[state]);
}

function statusBadge(status) {
  const kinds = { up: 'ok', weakly_up: 'warn', joining: 'warn', leaving: 'warn', exiting: 'warn', unreachable: 'bad', down: 'bad' };
  return badge(status, kinds[status]);
}

function emptyRow(columns, rows, emptyText = 'Nothing here yet.') {
  return rows.length ? rows : [el('tr', {}, el('td', { class: 'empty', colspan: columns }, emptyText))];
}

function table(headers, rows, attrs = {}, emptyText = undefined) {
  return el('table', attrs,
    el('thead', {}, el('tr', {}, headers.map(h => el('th', { class: h.num ? 'num' : '' }, h.label || h)))),
    el('tbody', {}, emptyRow(headers.length, rows, emptyText)));
}

function panel(title, actions, ...body) {
  return el('section', { class: 'panel' }, el('div', { class: 'panel-head' }, el('h2', {}, title), actions || ''), ...body);
}

function card(label, value, attrs = {}) {
  return el('div', { class: 'card', ...attrs }, el('div', { class: 'label' }, label), el('div', { class: 'value' }, value));
}

function recordText(text) {
  if (text === null || text === undefined) return el('span', { class: 'null' }, 'null');
  return el('pre', { class: 'data' }, text.text, text.encoding === 'base64' ? el('span', { class: 'tag' }, 'base64') : '');
}

// Runs a form's action; a failure stays under the form (and in a toast) until the next try.
async function submitting(form, action) {
  form.querySelectorAll('.form-error').forEach(e => e.remove());
  try {
    await action();
  } catch (error) {
    form.append(el('p', { class: 'form-error', 'data-test': 'form-error' }, error.message));
    toast(error.message, true);
  }
}

function field(label, input) {
  return el('label', { class: 'field' }, label, input);
}

// Runs fn every ms until the page shows another view.
function every(ms, fn) {
  const generation = renderCount;
  const id = setInterval(() => {
    if (generation !== renderCount) clearInterval(id);
    else fn();
  }, ms);
}

function errorBox(error) {
  return el('div', { class: 'error-box', 'data-test': 'error' }, error.message);
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  if (seconds < 90) return seconds + ' s';
  if (seconds < 5400) return Math.round(seconds / 60) + ' min';
  return (seconds / 3600).toFixed(1) + ' h';
}

function progressBar(done, total) {
  const percent = total > 0 ? Math.floor(100 * done / total) : 100;
  return el('div', { class: 'progress' }, el('div', { class: 'progress-fill', style: 'width:' + percent + '%' }));
}

// This node's long operations (GET /api/progress): log recovery, followers catching up with the
// partitions it leads, the cluster's reassignments.
function progressPanel(p) {
  const r = p.recovery;
  const recovery = r.total === 0
    ? el('p', { class: 'note', 'data-test': 'recovery' }, 'No partition logs to recover at start-up.')
    : el('div', { 'data-test': 'recovery' },
      el('div', {}, el('strong', {}, 'Log recovery: '), number(r.finished) + ' of ' + number(r.total) + ' partitions',
        r.complete ? badge('done', 'ok') : badge(number(r.remaining) + ' to go', 'warn'), ' ', el('span', { class: 'note' }, bytes(r.bytes) + ' of logs')),
      progressBar(r.finished, r.total));
  const pace = b => b.closingBytesPerSec === null ? 'measuring…'
    : b.closingBytesPerSec > 0 ? rate(b.closingBytesPerSec, 'B') : b.closingBytesPerSec < 0 ? 'falling behind ' + rate(-b.closingBytesPerSec, 'B') : 'not closing';
  const catchUp = table(['Follower broker', { label: 'Partitions', num: true }, { label: 'Offsets behind', num: true },
    { label: 'Bytes behind', num: true }, 'Closing at', { label: 'Time to go', num: true }, 'Partitions behind'],
  p.catchUp.map(b => el('tr', { 'data-test': 'catch-up-row' },
    el('td', {}, 'node ' + b.broker),
    el('td', { class: 'num' }, number(b.partitions), b.reassigning ? el('span', { class: 'tag' }, b.reassigning + ' new') : ''),
    el('td', { class: 'num' }, number(b.offsetsBehind)),
    el('td', { class: 'num' }, bytes(b.bytesBehind)),
    el('td', {}, pace(b)),
    el('td', { class: 'num' }, duration(b.secondsToGo)),
    el('td', { class: 'mono' }, b.followers.slice(0, 5).map(f => el('span', { class: 'tag' }, f.topic + '-' + f.partition)),
      b.followers.length > 5 ? '+' + (b.followers.length - 5) + ' more' : ''))), {}, 'No follower is behind.');
  const moves = table(['Partition', 'Leader', 'Replicas', 'ISR', 'Adding', 'Removing'],
    p.reassignments.map(m => el('tr', { 'data-test': 'reassignment-row' },
      el('td', {}, el('a', { href: '#/topics/' + enc(m.topic) }, m.topic), '-' + m.partition),
      el('td', {}, m.leader < 0 ? badge('none', 'bad') : m.leader),
      el('td', { class: 'mono' }, m.replicas.join(', ')),
      el('td', { class: 'mono' }, m.isr.join(', ')),
      el('td', { class: 'mono' }, m.adding.join(', ') || '–'),
      el('td', { class: 'mono' }, m.removing.join(', ') || '–'))), {}, 'No partition is being moved.');
  return panel('Long operations', el('span', { class: 'note' }, 'as this node sees them'), recovery,
    el('h3', {}, 'Followers catching up with this node'), catchUp,
    el('h3', {}, 'Reassignments in progress'), moves);
}

// ---- views -----------------------------------------------------------------------------------

async function overview(arg, show) {
  const [cluster, throughput, progress] = await Promise.all([api('cluster'), api('throughput'), api('progress')]);
  const up = cluster.nodes.filter(n => n.status === 'up').length;
  const controller = cluster.nodes.find(n => n.controller);
  const nodesBody = el('tbody');
  const renderNodes = data => nodesBody.replaceChildren(...data.nodes.map(n => el('tr', { 'data-test': 'node-row' },
    el('td', {}, n.nodeId ?? '–', n.controller ? el('span', { class: 'tag' }, 'controller') : '', n.thisNode ? el('span', { class: 'tag' }, 'this node') : ''),
    el('td', { class: 'mono' }, n.kafkaEndpoint || '–'),
    el('td', { class: 'mono' }, n.address || '–'),
    el('td', {}, n.roles.map(r => el('span', { class: 'tag' }, r))),
    el('td', {}, statusBadge(n.status)))));
  renderNodes(cluster);
  const chartBox = [el('div', { class: 'chart' }), el('div', { class: 'chart' })];
  const progressBox = el('div');
  const renderProgress = p => progressBox.replaceChildren(progressPanel(p));
  renderProgress(progress);
  const now = { messagesIn: el('span'), messagesOut: el('span'), bytesIn: el('span'), bytesOut: el('span') };
  show(
    el('h1', {}, 'Overview'),
    el('p', { class: 'subtitle' }, 'Cluster ', el('span', { class: 'mono' }, cluster.clusterId)),
    el('div', { class: 'cards' },
      card('Nodes up', up + ' / ' + cluster.nodes.length),
      card('Controller', controller ? 'node ' + controller.nodeId : 'none'),
      card('This node', 'node ' + cluster.thisNodeId),
      card('Health', cluster.notReadyReason ? badge('not ready: ' + cluster.notReadyReason, 'bad') : badge('ready', 'ok'))),
    panel('Nodes', null, el('table', {},
      el('thead', {}, el('tr', {}, ['Node', 'Kafka endpoint', 'Cluster address', 'Roles', 'Status'].map(h => el('th', {}, h)))),
      nodesBody)),
    panel('Throughput of this node', el('span', { class: 'note' }, 'per second, last 5 minutes'),
      el('div', { class: 'rates' },
        el('div', {}, el('span', { class: 'label' }, 'Messages in '), now.messagesIn),
        el('div', {}, el('span', { class: 'label' }, 'Messages out '), now.messagesOut),
        el('div', {}, el('span', { class: 'label' }, 'Bytes in '), now.bytesIn),
        el('div', {}, el('span', { class: 'label' }, 'Bytes out '), now.bytesOut)),
      el('div', { class: 'charts' }, chartBox)),
    progressBox);
  const messages = lineChart(chartBox[0], 'Messages in and out', [
    { label: 'messages in', stroke: '#1f6feb', fill: 'rgba(31,111,235,.08)' },
    { label: 'messages out', stroke: '#8250df' }], v => rate(v, 'msg'));
  const traffic = lineChart(chartBox[1], 'Bytes in and out', [
    { label: 'bytes in', stroke: '#1a7f37', fill: 'rgba(26,127,55,.07)' },
    { label: 'bytes out', stroke: '#b35900' }], v => rate(v, 'B'));
  const plot = t => {
    const last = t.rates[t.rates.length - 1];
    now.messagesIn.textContent = last ? rate(last.messagesInPerSec, 'msg') : '–';
    now.messagesOut.textContent = last ? rate(last.messagesOutPerSec, 'msg') : '–';
    now.bytesIn.textContent = last ? rate(last.bytesInPerSec, 'B') : '–';
    now.bytesOut.textContent = last ? rate(last.bytesOutPerSec, 'B') : '–';
    const xs = t.rates.map(r => r.atMs / 1000);
    messages.setData([xs, t.rates.map(r => r.messagesInPerSec), t.rates.map(r => r.messagesOutPerSec)]);
    traffic.setData([xs, t.rates.map(r => r.bytesInPerSec), t.rates.map(r => r.bytesOutPerSec)]);
  };
  plot(throughput);
  every(2000, async () => plot(await api('throughput')));
  every(5000, async () => renderNodes(await api('cluster')));
  every(2000, async () => renderProgress(await api('progress')));
}

function lineChart(container, title, series, format) {
  const width = () => Math.max(300, container.clientWidth);
  const chart = new uPlot({
    title, width: width(), height: 220,
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
    series: [{}, ...series.map(s => ({ ...s, width: 2, points: { show: false }, value: (u, v) => format(v) }))],
    axes: [{ space: 70, values: (u, values) => values.map(v => new Date(v * 1000).toLocaleTimeString('en-GB')) },
      { size: 80, values: (u, values) => values.map(format) }],
    legend: { live: false },
  }, [[], ...series.map(() => [])], container);
  charts.push({ chart, container, width });
  return chart;
}

window.addEventListener('resize', () => charts.forEach(c => c.chart.setSize({ width: c.width(), height: 220 })));

async function topics(arg, show) {
  const data = await api('topics');
  const name = el('input', { placeholder: 'orders', required: true, 'data-test': 'new-topic-name' });
  const partitions = el('input', { type: 'number', min: 1, value: 1, class: 'narrow', 'data-test': 'new-topic-partitions' });
  const replicas = el('input', { type: 'number', min: 1, placeholder: 'default', class: 'narrow', 'data-test': 'new-topic-replication' });
  const create = el('form', {
    class: 'form-row', onsubmit: event => {
      event.preventDefault();
      submitting(create, async () => {
        await api('topics', { method: 'POST', body: {
          name: name.value, partitions: partitions.value || null, replicationFactor: replicas.value || null } });
        toast('Created topic ' + name.value);
        location.hash = '#/topics/' + enc(name.value);
      });
    }
  }, field('Name', name), field('Partitions', partitions), field('Replication factor', replicas),
    el('button', { type: 'submit', 'data-test': 'create-topic' }, 'Create topic'));
  const showInternal = el('input', { type: 'checkbox' });
  const body = el('tbody');
  const render = () => body.replaceChildren(...emptyRow(6, data.topics.filter(t => showInternal.checked || !t.internal).map(t =>
    el('tr', { 'data-test': 'topic-row', 'data-topic': t.name },
      el('td', {}, el('a', { href: '#/topics/' + enc(t.name) }, t.name), t.internal ? el('span', { class: 'tag' }, 'internal') : ''),
      el('td', { class: 'num' }, t.partitions),
      el('td', { class: 'num' }, t.replicationFactor),
      el('td', {}, t.underReplicated ? badge(t.underReplicated + ' under-replicated', 'warn') : badge('in sync', 'ok')),
      el('td', { class: 'num' }, number(t.messages)),
      el('td', { class: 'num' }, bytes(t.sizeBytes))))));
  showInternal.addEventListener('change', render);
  render();
  show(
    el('h1', {}, 'Topics'),
    el('p', { class: 'subtitle' }, data.topics.filter(t => !t.internal).length + ' topics'),
    panel('Create a topic', null, create),
    panel('All topics', el('label', { class: 'note' }, showInternal, ' show internal topics'), el('table', {},
      el('thead', {}, el('tr', {}, ['Topic', { label: 'Partitions', num: true }, { label: 'RF', num: true }, 'Replicas',
        { label: 'Messages', num: true }, { label: 'Size', num: true }].map(h => el('th', { class: h.num ? 'num' : '' }, h.label || h)))),
      body)));
}

async function topic(name, show) {
  const data = await api('topics/' + enc(name));
  const partitionRows = data.partitions.map(p => el('tr', { 'data-test': 'partition-row' },
    el('td', { class: 'num' }, p.partition),
    el('td', { class: 'num' }, p.leader < 0 ? badge('offline', 'bad') : p.leader),
    el('td', { class: 'mono' }, p.replicas.join(', ')),
    el('td', { class: 'mono' }, p.isr.join(', '), p.isr.length < p.replicas.length ? ' ' : '',
      p.isr.length < p.replicas.length ? badge('under-replicated', 'warn') : ''),
    el('td', { class: 'num' }, number(p.logStartOffset)),
    el('td', { class: 'num' }, number(p.endOffset)),
    el('td', { class: 'num' }, p.endOffset === null || p.logStartOffset === null ? '–' : number(p.endOffset - p.logStartOffset)),
    el('td', { class: 'num' }, bytes(p.sizeBytes)),
    el('td', {}, el('a', { href: '#/messages?topic=' + enc(name) + '&partition=' + p.partition }, 'browse'))));
  const configsBody = el('tbody');
  const renderConfigs = configs => configsBody.replaceChildren(...configs.map(c => {
    const input = el('input', { value: c.value ?? '', disabled: c.readOnly, 'data-config': c.name, style: 'width:100%' });
    const save = el('button', { class: 'small', disabled: true, onclick: () => changeConfigs({ set: { [c.name]: input.value } }) }, 'Save');
    input.addEventListener('input', () => { save.disabled = input.value === (c.value ?? ''); });
    return el('tr', {},
      el('td', { class: 'mono' }, c.name),
      el('td', {}, input),
      el('td', {}, c.isDefault ? el('span', { class: 'note' }, 'default') : badge('set for this topic', 'info')),
      el('td', {}, c.readOnly ? '' : save, ' ',
        c.isDefault || c.readOnly ? '' : el('button', { class: 'small secondary', onclick: () => changeConfigs({ delete: [c.name] }) }, 'Reset')));
  }));
  async function changeConfigs(change) {
    try {
      const result = await api('topics/' + enc(name) + '/configs', { method: 'POST', body: change });
      renderConfigs(result.configs);
      toast('Configs of ' + name + ' changed');
    } catch (error) { toast(error.message, true); }
  }
  renderConfigs(data.configs);
  const remove = el('button', {
    class: 'danger', onclick: async () => {
      if (!confirm('Delete topic ' + name + ' and all its data?')) return;
      try {
        await api('topics/' + enc(name), { method: 'DELETE' });
        toast('Deleted topic ' + name);
        location.hash = '#/topics';
      } catch (error) { toast(error.message, true); }
    }
  }, 'Delete topic');
  const messages = data.partitions.reduce((sum, p) => sum + ((p.endOffset ?? 0) - (p.logStartOffset ?? 0)), 0);
  show(
    el('h1', {}, name, data.internal ? el('span', { class: 'tag' }, 'internal') : ''),
    el('p', { class: 'subtitle' }, 'Topic id ', el('span', { class: 'mono' }, data.topicId)),
    el('div', { class: 'cards' },
      card('Partitions', data.partitions.length),
      card('Replication factor', data.partitions.length ? data.partitions[0].replicas.length : 0),
      card('Messages', number(messages)),
      card('Size (leaders)', bytes(data.partitions.reduce((sum, p) => sum + (p.sizeBytes ?? 0), 0)))),
    panel('Partitions', el('div', {}, el('a', { href: '#/messages?topic=' + enc(name) }, 'Browse messages'), ' ', remove),
      table([{ label: 'Partition', num: true }, { label: 'Leader', num: true }, 'Replicas', 'ISR', { label: 'Start offset', num: true }, { label: 'End offset', num: true },
        { label: 'Messages', num: true }, { label: 'Size', num: true }, ''], partitionRows)),
    panel('Configs', null,
      el('table', {}, el('thead', {}, el('tr', {}, ['Name', 'Value', 'Source', ''].map(h => el('th', {}, h)))), configsBody),
      addConfigForm(changeConfigs)));
}

function addConfigForm(changeConfigs) {
  const name = el('input', { placeholder: 'retention.ms' });
  const value = el('input', { placeholder: '86400000' });
  return el('form', {
    class: 'form-row', style: 'margin-top:12px', onsubmit: event => {
      event.preventDefault();
      if (name.value) changeConfigs({ set: { [name.value]: value.value } });
    }
  }, field('Config', name), field('Value', value), el('button', { type: 'submit', class: 'secondary' }, 'Set config'));
}

async function groups(arg, show) {
  const data = await api('groups');
  show(
    el('h1', {}, 'Consumer groups'),
    el('p', { class: 'subtitle' }, data.groups.length + ' groups'),
    panel('Groups', null, table(['Group', 'State', { label: 'Members', num: true }, 'Assignor', { label: 'Total lag', num: true }],
      data.groups.map(g => el('tr', { 'data-test': 'group-row', 'data-group': g.groupId },
        el('td', {}, el('a', { href: '#/groups/' + enc(g.groupId) }, g.groupId)),
        el('td', {}, stateBadge(g.state)),
        el('td', { class: 'num' }, g.members),
        el('td', {}, g.protocol || '–'),
        el('td', { class: 'num' }, number(g.totalLag)))))));
}

async function group(id, show) {
  const data = await api('groups/' + enc(id));
  const resettable = data.state === 'Empty' || data.state === 'Dead';
  const topicsOfGroup = [...new Set(data.lag.rows.map(r => r.topic))];
  const topicChoice = el('select', { 'data-test': 'reset-topic' },
    el('option', { value: '' }, 'every topic'), topicsOfGroup.map(t => el('option', { value: t }, t)));
  const target = el('select', { 'data-test': 'reset-to' }, ['earliest', 'latest', 'offset', 'timestamp'].map(t => el('option', { value: t }, t)));
  const offset = el('input', { type: 'number', min: 0, class: 'narrow', placeholder: 'offset' });
  const time = el('input', { type: 'datetime-local', step: 1 });
  const showInputs = () => { offset.hidden = target.value !== 'offset'; time.hidden = target.value !== 'timestamp'; };
  target.addEventListener('change', showInputs);
  showInputs();
  const reset = el('form', {
    class: 'form-row', onsubmit: event => {
      event.preventDefault();
      const body = { to: target.value, topic: topicChoice.value || null };
      if (target.value === 'offset') body.offset = offset.value;
      if (target.value === 'timestamp') body.timestamp = new Date(time.value).getTime();
      submitting(reset, async () => {
        await api('groups/' + enc(id) + '/reset-offsets', { method: 'POST', body });
        toast('Offsets of ' + id + ' reset');
        await group(id, show);
      });
    }
  }, field('Topic', topicChoice), field('To', target), offset, time,
    el('button', { type: 'submit', disabled: !resettable, 'data-test': 'reset-offsets' }, 'Reset offsets'));
  show(
    el('h1', {}, id),
    el('p', { class: 'subtitle' }, 'Consumer group'),
    el('div', { class: 'cards' },
      card('State', stateBadge(data.state)),
      card('Members', data.members.length),
      card('Coordinator', data.coordinator < 0 ? '–' : 'node ' + data.coordinator),
      card('Assignor', data.assignor || '–'),
      card('Total lag', number(data.lag.totalLag), { 'data-test': 'total-lag' })),
    panel('Lag per partition', null, table(['Topic', { label: 'Partition', num: true }, { label: 'Committed', num: true },
      { label: 'End offset', num: true }, { label: 'Lag', num: true }, 'Consumer'],
    data.lag.rows.map(r => el('tr', { 'data-test': 'lag-row', 'data-topic': r.topic, 'data-partition': r.partition },
      el('td', {}, el('a', { href: '#/topics/' + enc(r.topic) }, r.topic)),
      el('td', { class: 'num' }, r.partition),
      el('td', { class: 'num committed' }, number(r.committedOffset)),
      el('td', { class: 'num end' }, number(r.endOffset)),
      el('td', { class: 'num lag' }, number(r.lag)),
      el('td', {}, r.owner || el('span', { class: 'null' }, 'unassigned')))))),
    panel('Members', null, table(['Client id', 'Host', 'Member id', 'Assigned partitions'], data.members.map(m => el('tr', {},
      el('td', {}, m.clientId), el('td', { class: 'mono' }, m.host), el('td', { class: 'mono' }, m.memberId),
      el('td', {}, m.assignment.map(a => el('span', { class: 'tag' }, a))))))),
    panel('Reset offsets', null, reset, el('p', { class: 'note' }, resettable
      ? 'The group is empty: its committed offsets can be moved.'
      : 'Offsets can only be reset while the group has no members; stop its consumers first.')));
}

async function messages(params, show) {
  const topicList = (await api('topics')).topics;
  const topicChoice = el('select', { 'data-test': 'browse-topic' },
    topicList.map(t => el('option', { value: t.name, selected: t.name === params.get('topic') }, t.name)));
  const partition = el('input', { type: 'number', min: 0, value: params.get('partition') || 0, class: 'narrow', 'data-test': 'browse-partition' });
  const from = el('select', { 'data-test': 'browse-from' },
    [['newest', 'newest records'], ['offset', 'offset'], ['timestamp', 'time']].map(([value, label]) =>
      el('option', { value, selected: params.has(value) || (value === 'newest' && !params.has('offset') && !params.has('timestamp')) }, label)));
  const offset = el('input', { type: 'number', min: 0, value: params.get('offset') || 0, class: 'narrow', 'data-test': 'browse-offset' });
  const time = el('input', { type: 'datetime-local', step: 1 });
  if (params.has('timestamp')) {
    const t = new Date(Number(params.get('timestamp')));
    time.value = new Date(t.getTime() - t.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
  }
  const limit = el('input', { type: 'number', min: 1, max: 500, value: params.get('limit') || 50, class: 'narrow' });
  const showInputs = () => { offset.hidden = from.value !== 'offset'; time.hidden = from.value !== 'timestamp'; };
  from.addEventListener('change', showInputs);
  showInputs();
  const results = el('div');
  const form = el('form', {
    class: 'form-row', onsubmit: event => {
      event.preventDefault();
      const query = new URLSearchParams({ topic: topicChoice.value, partition: partition.value, limit: limit.value });
      if (from.value === 'offset') query.set('offset', offset.value);
      if (from.value === 'timestamp') query.set('timestamp', new Date(time.value).getTime());
      location.hash = '#/messages?' + query;
    }
  }, field('Topic', topicChoice), field('Partition', partition), field('From', from), offset, time, field('Max records', limit),
    el('button', { type: 'submit', 'data-test': 'browse' }, 'Read'));
  show(el('h1', {}, 'Messages'), el('p', { class: 'subtitle' }, 'Read a partition from an offset, a time, or its newest records'),
    panel('Partition', null, form), results);
  if (!params.get('topic')) {
    if (!topicList.length) results.append(el('p', { class: 'note' }, 'No topics yet.'));
    return;
  }
  const query = new URLSearchParams(params);
  const data = await api('messages?' + query);
  results.replaceChildren(panel(data.topic + ' / partition ' + data.partition,
    el('span', { class: 'note', 'data-test': 'browse-summary' }, 'offsets ' + number(data.logStartOffset) + ' to ' + number(data.endOffset)
      + ' · showing ' + data.records.length + ' from offset ' + number(data.startOffset)),
    table([{ label: 'Offset', num: true }, 'Timestamp', 'Key', 'Value', 'Headers'], data.records.map(r =>
      el('tr', { 'data-test': 'message-row', 'data-offset': r.offset },
        el('td', { class: 'num mono' }, r.offset),
        el('td', { class: 'mono', title: r.timestampType }, new Date(r.timestampMs).toISOString().replace('T', ' ').replace('Z', ' UTC')),
        el('td', { class: 'key' }, recordText(r.key)),
        el('td', { class: 'value' }, recordText(r.value)),
        el('td', { class: 'headers' }, r.headers.map(h => el('span', { class: 'tag' }, h.key + '=' + (h.value ? h.value.text : 'null')))))))));
}

// ---- routing ---------------------------------------------------------------------------------

function currentRoute() {
  const [path, query] = location.hash.replace(/^#/, '').split('?');
  const parts = (path || '/').split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query || '');
  if (parts[0] === 'topics' && parts[1]) return { name: 'topic', arg: parts[1], nav: 'topics' };
  if (parts[0] === 'topics') return { name: 'topics', nav: 'topics' };
  if (parts[0] === 'groups' && parts[1]) return { name: 'group', arg: parts[1], nav: 'groups' };
  if (parts[0] === 'groups') return { name: 'groups', nav: 'groups' };
  if (parts[0] === 'messages') return { name: 'messages', arg: params, nav: 'messages' };
  return { name: 'overview', nav: 'overview' };
}

const views = { overview, topics, topic, groups, group, messages };
// Views redrawn every few seconds (the overview updates its own parts); not while a form on them is in use.
const refreshMs = { groups: 5000, group: 5000 };

async function render() {
  const generation = ++renderCount;
  charts = [];
  const route = currentRoute();
  // A view that loads after the user moved on draws nothing.
  const show = (...nodes) => { if (generation === renderCount) view.replaceChildren(...nodes); };
  document.querySelectorAll('[data-nav]').forEach(a => a.classList.toggle('active', a.dataset.nav === route.nav));
  const load = () => views[route.name](route.arg, show).catch(error => show(errorBox(error)));
  await load();
  if (refreshMs[route.name]) {
    every(refreshMs[route.name], () => {
      if (!document.activeElement || !document.activeElement.closest('main form')) load();
    });
  }
}

async function topbar() {
  try {
    const cluster = await api('cluster');
    document.getElementById('topbar-info').textContent =
      'cluster ' + cluster.clusterId + ' · node ' + cluster.thisNodeId + ' · ' + (cluster.notReadyReason ? 'not ready' : 'ready');
  } catch (error) {
    // A node that answered with an error is up and says why; only a failed request means it is not answering.
    document.getElementById('topbar-info').textContent = error.status ? error.message : 'node not answering: ' + error.message;
  }
}

window.addEventListener('hashchange', render);
render();
topbar();
setInterval(topbar, 10000);
