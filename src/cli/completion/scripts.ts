/**
 * The shell scripts `capsule completion SHELL` prints. Each asks the program the person typed
 * (`COMP_WORDS[0]`: the same install, the same CAPSULE_HOME) for the candidates, through the
 * hidden `__complete` command, one per line; files complete when it has none.
 */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export function completionScript(shell: Shell, bin: string): string {
  const fn = `_${bin.replaceAll(/[^A-Za-z0-9_]/g, '_')}`;
  switch (shell) {
    case 'bash':
      return `# ${bin} completion for bash. Install: ${bin} completion bash > ~/.local/share/bash-completion/completions/${bin}
${fn}() {
  local IFS=$'\\n'
  COMPREPLY=($("\${COMP_WORDS[0]}" __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F ${fn} ${bin}
`;
    case 'zsh':
      return `#compdef ${bin}
# ${bin} completion for zsh. Install: ${bin} completion zsh > ~/.zfunc/_${bin}, with fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc.
${fn}() {
  local -a candidates
  candidates=("\${(@f)$("\${words[1]}" __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  candidates=("\${(@)candidates:#}")
  if (( \${#candidates} )); then
    compadd -- "\${candidates[@]}"
  else
    _files
  fi
}
if [[ "\${funcstack[1]}" == "${fn}" ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${bin}
fi
`;
    case 'fish':
      return `# ${bin} completion for fish. Install: ${bin} completion fish > ~/.config/fish/completions/${bin}.fish
function __${fn}_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l candidates ($tokens[1] __complete -- $tokens[2..-1] $current 2>/dev/null)
    if test (count $candidates) -gt 0
        printf '%s\\n' $candidates
    else
        __fish_complete_path $current
    end
end
complete -c ${bin} -f -a '(__${fn}_complete)'
`;
  }
}
