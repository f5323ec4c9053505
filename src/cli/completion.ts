import { STACK_EVENTS } from '../protocol/journal.js';
import { COMMANDS, FLAGS, GLOBAL_FLAGS, longFlag, type CommandSpec, type FlagName } from './command-table.js';

export type Shell = 'bash' | 'zsh' | 'fish';

const visible = () => COMMANDS.filter((c) => !c.hidden);
const flagWords = (names: FlagName[]) =>
  names.flatMap((n) => [longFlag(n), ...(FLAGS[n].shortFlag ? [`-${FLAGS[n].shortFlag}`] : [])]);
const commandFlags = (c: CommandSpec) => flagWords([...c.flags, ...GLOBAL_FLAGS]);

/** What follows a command's name: its actions, or `@services` / `@backends` for names read from the config. */
function operandWords(c: CommandSpec): string {
  const ops = c.operands;
  if (ops.kind === 'services') return '@services';
  if (ops.kind === 'actions' && c.name === 'help') return visible().map((x) => x.name).join(' ');
  if (ops.kind === 'actions') return ops.actions.join(' ');
  return '';
}

function bash(): string {
  const cases = visible()
    .map((c) => `    ${c.name}) flags="${commandFlags(c).join(' ')}"; words="${operandWords(c)}"; then="${c.operands.kind === 'actions' ? (c.operands.then ?? '') : ''}" ;;`)
    .join('\n');
  return `# llama-top completion for bash: source <(llama-top completion bash)
_llama_top() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmd="" sub="" config=() i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if [[ "$w" == --config ]]; then config=(--config "\${COMP_WORDS[i+1]}"); ((i++)); continue; fi
    [[ "$w" == -* ]] && continue
    if [[ -z "$cmd" ]]; then cmd="$w"; elif [[ -z "$sub" ]]; then sub="$w"; fi
  done
  case "$prev" in
    --config) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    -n|--lines|--since) COMPREPLY=(); return ;;
  esac
  if [[ -z "$cmd" ]]; then
    if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "${flagWords([...GLOBAL_FLAGS, 'headless', 'version']).join(' ')}" -- "$cur"))
    else COMPREPLY=($(compgen -W "${visible().map((c) => c.name).join(' ')}" -- "$cur")); fi
    return
  fi
  local flags="" words="" then=""
  case "$cmd" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$flags" -- "$cur")); return; fi
  if [[ -n "$sub" && -n "$then" ]]; then
    case "$then" in
      services) words="@services" ;;
      backends) [[ "$sub" == switch || "$sub" == health ]] && words="$(llama-top completion backends "\${config[@]}" 2>/dev/null)" || words="" ;;
      events) words="${STACK_EVENTS.join(' ')}" ;;
      *) words="" ;;
    esac
  elif [[ -n "$sub" && "$words" != @services ]]; then words=""; fi
  [[ "$words" == @services ]] && words="$(llama-top completion services "\${config[@]}" 2>/dev/null)"
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _llama_top llama-top
`;
}

function fish(): string {
  const out = ['# llama-top completion for fish: llama-top completion fish > ~/.config/fish/completions/llama-top.fish', 'complete -c llama-top -f'];
  const names = visible().map((c) => c.name).join(' ');
  for (const c of visible()) out.push(`complete -c llama-top -n "not __fish_seen_subcommand_from ${names}" -a ${c.name} -d ${JSON.stringify(c.summary)}`);
  for (const name of [...GLOBAL_FLAGS, 'headless', 'version'] as FlagName[]) out.push(fishFlag(name, `not __fish_seen_subcommand_from ${names}`));
  for (const c of visible()) {
    const when = `__fish_seen_subcommand_from ${c.name}`;
    for (const name of [...c.flags, ...GLOBAL_FLAGS]) out.push(fishFlag(name, when, c));
    const words = operandWords(c);
    if (words === '@services') out.push(`complete -c llama-top -n "${when}" -a "(llama-top completion services 2>/dev/null)"`);
    else if (words) out.push(`complete -c llama-top -n "${when}; and not __fish_seen_subcommand_from ${words}" -a "${words}"`);
    if (c.operands.kind === 'actions' && c.operands.then === 'backends')
      out.push(`complete -c llama-top -n "${when}; and __fish_seen_subcommand_from switch health" -a "(llama-top completion backends 2>/dev/null)"`);
    if (c.operands.kind === 'actions' && c.operands.then === 'events')
      out.push(`complete -c llama-top -n "${when}; and __fish_seen_subcommand_from ${words}" -a "${STACK_EVENTS.join(' ')}"`);
    if (c.operands.kind === 'actions' && c.operands.then === 'services')
      out.push(`complete -c llama-top -n "${when}; and __fish_seen_subcommand_from ${words}" -a "(llama-top completion services 2>/dev/null)"`);
  }
  return `${out.join('\n')}\n`;
}

function fishFlag(name: FlagName, when: string, c?: CommandSpec): string {
  const f = FLAGS[name];
  const long = longFlag(name).slice(2);
  const description = name === 'force' && c?.force ? c.force : f.description;
  return `complete -c llama-top -n "${when}" -l ${long}${f.shortFlag ? ` -s ${f.shortFlag}` : ''}${f.type === 'string' ? ` -r${f.complete === 'file' ? ' -F' : ''}` : ''} -d ${JSON.stringify(description)}`;
}

/** zsh runs the bash function through its bashcompinit layer: one script, the same behaviour. */
function zsh(): string {
  return `#compdef llama-top
# llama-top completion for zsh: llama-top completion zsh > "\${fpath[1]}/_llama-top" (or: source <(llama-top completion zsh))
autoload -U +X bashcompinit && bashcompinit
${bash().split('\n').slice(1).join('\n')}`;
}

/** The completion script for `shell`. Pure. */
export function completionScript(shell: Shell): string {
  return shell === 'bash' ? bash() : shell === 'zsh' ? zsh() : fish();
}
