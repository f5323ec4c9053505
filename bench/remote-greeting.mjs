// node bench/remote-greeting.mjs BIN MODE SECONDS: runs `BIN status --remote box` through test/fixtures/ssh-standin.mjs MODE (silent, banner, long) and prints how it ended, its CPU seconds and peak RSS
import { spawn } from 'node:child_process';
import fs from 'node:fs';
const [bin, mode, seconds] = process.argv.slice(2);
const started = Date.now();
const child = spawn(process.execPath, [bin, 'status', '--remote', 'box'], { env: { ...process.env, LLAMA_TOP_SSH: `${process.execPath} ${new URL("../test/fixtures/ssh-standin.mjs", import.meta.url).pathname} ${mode}`, LLAMA_TOP_CONFIG: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
let stderr = ''; child.stderr.on('data', (d) => (stderr += d));
let last = null;
const sample = () => { try { const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').slice(fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').lastIndexOf(')') + 2).split(' '); const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'); last = { cpuS: (Number(stat[11]) + Number(stat[12])) / 100, hwmMB: Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024 }; } catch {} };
const timer = setInterval(sample, 100);
const done = (how) => { clearInterval(timer); console.log(JSON.stringify({ bin, mode, how, afterS: (Date.now() - started) / 1000, ...last, stderr: stderr.trim().slice(0, 200) })); };
child.on('exit', (code) => { done(`exit ${code}`); process.exit(0); });
setTimeout(() => { sample(); done('still running: killed'); for (const kid of childrenOf(child.pid)) process.kill(kid, 'SIGKILL'); child.kill('SIGKILL'); setTimeout(() => process.exit(0), 500); }, Number(seconds) * 1000);
function childrenOf(pid) { try { return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number); } catch { return []; } }
