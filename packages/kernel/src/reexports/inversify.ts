// Plugins share the kernel's Inversify: `import { ContainerModule } from '@nesslab/kernel/inversify'`.
export * from 'inversify';
