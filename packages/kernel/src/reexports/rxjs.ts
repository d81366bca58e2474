// Plugins share the kernel's RxJS: `import { map, reduce } from '@nesslab/kernel/rxjs'`.
export * from 'rxjs';
